package io.prunesweep.prune.reconstruct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ridge choice on held-out rows: a well-posed fit recovers the true weights with the smallest
 * ridge; a fit whose calibration rows hold two nearly collinear features (which other images break)
 * takes a larger ridge instead of huge cancelling weights; a fit that cannot beat the prior on the
 * held-out rows keeps it.
 */
class NormalEquationsTest {
    static final List<Double> RIDGES = List.of(1e-6, 1e-4, 1e-2, 1.0);

    /** Rows {@code [n, d]}: independent features; {@code collinear}: feature 1 ≈ feature 0. */
    static float[] features(Random r, int n, int d, boolean collinear) {
        float[] x = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) r.nextGaussian();
            }
            if (collinear) {
                x[i * d + 1] = x[i * d] + (float) (1e-3 * r.nextGaussian());
            }
        }
        return x;
    }

    /** {@code y = x w + noise}, one output. */
    static float[] targets(Random r, float[] x, double[] w, double noise) {
        int d = w.length;
        int n = x.length / d;
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += x[i * d + j] * w[j];
            }
            y[i] = (float) (s + noise * r.nextGaussian());
        }
        return y;
    }

    @Test
    void aWellPosedFitRecoversTheWeightsWithTheSmallestRidge() {
        Random r = new Random(1);
        double[] truth = {0.5, -1.0, 2.0, 0.25};
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                NormalEquations eq = new NormalEquations(m, new double[4], 4, 1)) {
            float[] x = features(r, 400, 4, false);
            eq.add(x, targets(r, x, truth, 0.01), 400, false);
            float[] h = features(r, 100, 4, false);
            eq.add(h, targets(r, h, truth, 0.01), 100, true);
            NormalEquations.Solution s = eq.solve(RIDGES);
            assertEquals(1e-6, s.ridge());
            assertTrue(s.heldOut());
            assertArrayEquals(truth, s.w(), 5e-3);
            assertTrue(
                    s.fitError() < 1e-3 * s.priorError(), s.fitError() + " vs " + s.priorError());
            assertEquals(500, eq.rows());
        }
    }

    @Test
    void collinearCalibrationFeaturesTakeALargeRidgeNotCancellingWeights() {
        Random r = new Random(2);
        double[] truth = {1.0, 0.0, 0.5};
        double[] prior = {0.5, 0.5, 0.5}; // the un-refitted weights: right on the sum of 0 and 1
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[] x = features(r, 60, 3, true);
            float[] y = targets(r, x, truth, 0.3);
            float[] h = features(r, 60, 3, false); // other images: feature 1 on its own
            float[] hy = targets(r, h, truth, 0.3);
            NormalEquations.Solution chosen;
            NormalEquations.Solution smallest;
            try (NormalEquations eq = new NormalEquations(m, prior, 3, 1)) {
                eq.add(x, y, 60, false);
                eq.add(h, hy, 60, true);
                chosen = eq.solve(RIDGES);
                smallest = eq.solve(List.of(1e-6));
            }
            // the smallest ridge leans on the 1e-3 difference of features 0 and 1: large opposite
            // weights
            double spread = Math.abs(smallest.w()[0] - smallest.w()[1]);
            assertTrue(
                    Double.isNaN(smallest.ridge()) || spread > 2,
                    "smallest ridge: " + java.util.Arrays.toString(smallest.w()));
            assertTrue(
                    Double.isNaN(chosen.ridge()) || chosen.ridge() > RIDGES.get(0),
                    "chosen ridge " + chosen.ridge());
            // bounded weights (the final refit also sees the held-out rows, where feature 1 stands
            // alone), and a smaller error on the held-out images than the smallest ridge's
            for (double w : chosen.w()) {
                assertTrue(Math.abs(w) < 1.5, "chosen: " + java.util.Arrays.toString(chosen.w()));
            }
            assertTrue(
                    chosen.fitError() < smallest.fitError(),
                    chosen.fitError() + " vs " + smallest.fitError());
            assertTrue(chosen.fitError() <= chosen.priorError());
        }
    }

    @Test
    void aFitThatCannotBeatThePriorOnHeldOutRowsKeepsIt() {
        Random r = new Random(3);
        double[] prior = {1.0, -1.0};
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                NormalEquations eq = new NormalEquations(m, prior, 2, 1)) {
            float[] x = features(r, 4, 2, false); // 4 rows of pure noise around the prior
            eq.add(x, targets(r, x, prior, 1.0), 4, false);
            float[] h = features(r, 400, 2, false);
            eq.add(h, targets(r, h, prior, 1e-3), 400, true);
            NormalEquations.Solution s = eq.solve(List.of(1e-6));
            assertTrue(Double.isNaN(s.ridge()), "ridge " + s.ridge());
            assertArrayEquals(prior, s.w(), 1e-7);
            assertEquals(s.priorError(), s.fitError());
        }
    }
}
