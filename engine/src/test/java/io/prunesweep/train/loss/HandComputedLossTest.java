package io.prunesweep.train.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One GT box on a 32x32 image with a 4x4 (stride 8) and a 2x2 (stride 16) grid, predictions chosen
 * so every quantity has a closed form: class logits 0 (score 0.5 everywhere, BCE = ln 2 whatever
 * the target) and box logits 0 at bins 1 and 2, -30 elsewhere, so each predicted side is 1.5 grid
 * units. Expected values are computed here in double precision from the formulas, independently of
 * the implementation.
 */
class HandComputedLossTest {
    static final int NC = 2;
    static final int R = 16;
    static final float[] STRIDES = {8, 16};

    /** GT class 1, xyxy [2, 2, 21, 26] px. */
    static final double[] GT = {2, 2, 21, 26};

    static final float LOW = -30f;

    static NDList feats(NDManager m) {
        NDList out = new NDList();
        for (int size : new int[] {4, 2}) {
            int hw = size * size;
            float[] data = new float[(4 * R + NC) * hw];
            for (int c = 0; c < 4 * R; c++) {
                int bin = c % R;
                float v = bin == 1 || bin == 2 ? 0f : LOW;
                for (int i = 0; i < hw; i++) {
                    data[c * hw + i] = v;
                }
            }
            out.add(m.create(data, new Shape(1, 4 * R + NC, size, size)));
        }
        return out;
    }

    static NDArray targets(NDManager m) {
        return m.create(
                new float[] {0, 1, 11.5f / 32, 14f / 32, 19f / 32, 24f / 32}, new Shape(1, 6));
    }

    /** Anchor i: {x, y, stride} in pixels. */
    static double[] anchor(int i) {
        if (i < 16) {
            return new double[] {(i % 4 + 0.5) * 8, (i / 4 + 0.5) * 8, 8};
        }
        int j = i - 16;
        return new double[] {(j % 2 + 0.5) * 16, (j / 2 + 0.5) * 16, 16};
    }

    static double[] predBox(int i) {
        double[] a = anchor(i);
        double d = 1.5 * a[2];
        return new double[] {a[0] - d, a[1] - d, a[0] + d, a[1] + d};
    }

    static boolean inside(int i) {
        double[] a = anchor(i);
        return a[0] > GT[0] && a[1] > GT[1] && a[0] < GT[2] && a[1] < GT[3];
    }

    /**
     * Expected positives (top-k in-box anchors by CIoU; equal scores cancel) and their target
     * scores.
     */
    static double[] expectedScores(int topk) {
        List<Integer> cand = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            if (inside(i)) {
                cand.add(i);
            }
        }
        cand.sort(
                Comparator.comparingDouble(
                        i -> -Math.max(0, BoxOpsTest.ciouByHand(GT, predBox(i)))));
        double best = BoxOpsTest.ciouByHand(GT, predBox(cand.get(0)));
        double[] scores = new double[20];
        for (int i : cand.subList(0, Math.min(topk, cand.size()))) {
            double c = Math.max(0, BoxOpsTest.ciouByHand(GT, predBox(i)));
            scores[i] = Math.pow(c / best, 6) * best; // metric / max metric * max CIoU
        }
        return scores;
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 10})
    void assignerPicksTopkInsideAnchorsWithNormalisedScores(int topk) {
        double[] want = expectedScores(topk);
        try (NDManager m = NDManager.newBaseManager()) {
            DetectionLoss loss =
                    new DetectionLoss(
                            NC,
                            R,
                            STRIDES,
                            LossGains.DEFAULTS,
                            new AssignerSettings(topk, 0.5f, 6f, 1e-9f));
            var as = loss.prepare(m, feats(m), targets(m), 32, 32).assignment();
            boolean[] fg = as.fg().toBooleanArray();
            float[] scores = as.scores(NC).toFloatArray(); // [1, 20, 2]
            int positives = 0;
            for (int i = 0; i < 20; i++) {
                assertEquals(want[i] > 0, fg[i], "anchor " + i);
                assertEquals(0f, scores[2 * i], "class 0 score of anchor " + i);
                assertEquals(want[i], scores[2 * i + 1], 2e-6, "class 1 score of anchor " + i);
                positives += fg[i] ? 1 : 0;
            }
            assertEquals(topk, positives);
            if (topk == 3) { // (12,12), (12,20), (4,12): CIoU 0.6773, 0.4710, 0.3856
                assertArrayEquals(
                        new boolean[] {true, true, true}, new boolean[] {fg[5], fg[9], fg[4]});
                assertEquals(0.6772963, scores[2 * 5 + 1], 1e-6);
            }
            // assigned box is the GT, class 1
            float[] boxes = as.boxes().get("0, 5").toFloatArray();
            assertArrayEquals(new float[] {2, 2, 21, 26}, boxes);
            assertEquals(1L, as.labels().getLong(0, 5));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 10})
    void lossComponentsMatchClosedForm(int topk) {
        double[] ts = expectedScores(topk);
        double sum = 0;
        for (double t : ts) {
            sum += t;
        }
        double tss = Math.max(sum, 1);
        double cls = 20 * NC * Math.log(2) / tss;
        double logZ = Math.log(2 + 14 * Math.exp(LOW)); // log-sum-exp of one side's 16 logits
        double box = 0;
        double dfl = 0;
        for (int i = 0; i < 20; i++) {
            if (ts[i] == 0) {
                continue;
            }
            double[] a = anchor(i);
            double s = a[2];
            double[] pg = predBox(i);
            double[] tg = new double[4];
            for (int k = 0; k < 4; k++) {
                pg[k] /= s;
                tg[k] = GT[k] / s;
            }
            box += (1 - BoxOpsTest.ciouByHand(pg, tg)) * ts[i];
            double[] dist = {
                a[0] / s - tg[0], a[1] / s - tg[1], tg[2] - a[0] / s, tg[3] - a[1] / s
            };
            double side = 0;
            for (double d : dist) {
                double t = Math.min(Math.max(d, 0), R - 1 - 0.01);
                int l = (int) Math.floor(t);
                double wl = l + 1 - t;
                side += ce(l, logZ) * wl + ce(l + 1, logZ) * (1 - wl);
            }
            dfl += side / 4 * ts[i];
        }
        try (NDManager m = NDManager.newBaseManager()) {
            DetectionLoss loss =
                    new DetectionLoss(
                            NC,
                            R,
                            STRIDES,
                            LossGains.DEFAULTS,
                            new AssignerSettings(topk, 0.5f, 6f, 1e-9f));
            LossOutput out = loss.compute(feats(m), targets(m), 32, 32);
            assertEquals(7.5 * box / tss, out.box(), 2e-5);
            assertEquals(0.5 * cls, out.cls(), 2e-5);
            assertEquals(1.5 * dfl / tss, out.dfl(), 2e-5);
            assertEquals(
                    out.box() + out.cls() + out.dfl(), out.total().getFloat(), 1e-5); // batch of 1
            if (topk == 3) { // the NumPy re-implementation (see resources/loss/README.md) gives
                assertEquals(2.04961896, out.box(), 1e-5);
                assertEquals(13.86294365, out.cls(), 1e-5);
                assertEquals(1.46614236, out.dfl(), 1e-5);
            }
        }
    }

    private static double ce(int bin, double logZ) {
        return logZ - (bin == 1 || bin == 2 ? 0 : LOW);
    }

    @Test
    void dflOfOneAnchorIsLn2BetweenTwoEqualBins() {
        // p(bin 1) = p(bin 2) ~ 1/2: a target of 1.25 costs 0.75 * ln2 + 0.25 * ln2 = ln2 per side
        try (NDManager m = NDManager.newBaseManager()) {
            float[] logits = new float[4 * R];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = i % R == 1 || i % R == 2 ? 0f : LOW;
            }
            NDArray dist = m.create(logits, new Shape(1, 1, 4 * R));
            NDArray target = m.create(new float[] {1.25f, 1.25f, 1.25f, 1.75f}, new Shape(1, 1, 4));
            assertEquals(Math.log(2), new BoxLoss(R).dfl(dist, target).getFloat(), 1e-6);
        }
    }
}
