package io.prunesweep.train;

import ai.djl.nn.Parameter;
import java.util.Arrays;
import java.util.Collection;

/**
 * Distribution of |gamma| over a set of BatchNorm layers: mean, fraction below 1e-2 and quantiles,
 * plus a histogram on a log scale for the report (bins are powers of ten from 1e-4 to 10).
 */
public record GammaSummary(
        int channels,
        double meanAbs,
        double fractionBelow,
        double p10,
        double p50,
        double p90,
        long[] histogram) {
    /** Histogram bin edges: |gamma| < 1e-4, [1e-4, 1e-3), ..., [1, 10), >= 10. */
    public static final double[] EDGES = {1e-4, 1e-3, 1e-2, 1e-1, 1, 10};

    public static GammaSummary of(Collection<Parameter> gammas) {
        int n = 0;
        for (Parameter p : gammas) {
            n += (int) p.getArray().size();
        }
        float[] all = new float[n];
        int k = 0;
        for (Parameter p : gammas) {
            float[] v = p.getArray().toFloatArray();
            for (float x : v) {
                all[k++] = Math.abs(x);
            }
        }
        return of(all);
    }

    public static GammaSummary of(float[] absValues) {
        int n = absValues.length;
        if (n == 0) {
            return new GammaSummary(0, 0, 0, 0, 0, 0, new long[EDGES.length + 1]);
        }
        float[] s = absValues.clone();
        Arrays.sort(s);
        double sum = 0;
        int below = 0;
        long[] hist = new long[EDGES.length + 1];
        for (float x : s) {
            sum += x;
            if (x < 1e-2) {
                below++;
            }
            int b = 0;
            while (b < EDGES.length && x >= EDGES[b]) {
                b++;
            }
            hist[b]++;
        }
        return new GammaSummary(
                n,
                sum / n,
                (double) below / n,
                s[(int) (0.1 * (n - 1))],
                s[(int) (0.5 * (n - 1))],
                s[(int) (0.9 * (n - 1))],
                hist);
    }
}
