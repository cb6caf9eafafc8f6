package io.prunesweep.io.onnx;

/**
 * Pairs the columns of two top-k outputs ({@code [B, 4 + nc, k]}, one detection per column, one
 * non-zero class score) for the export check of an NMS-free head. Scores that are equal to float
 * precision may come out of TopK in either order in two engines, and a near-tie at the k-th place
 * may keep either candidate; neither is a wrong export. So a column whose counterpart at the same
 * position differs is matched with an unused column of the other output that has its class, box and
 * score (within the tolerance); an expected column with no counterpart counts only if its score is
 * above the lowest kept score by more than the tolerance (not a boundary tie). Returns {@code
 * actual} reordered to pair with {@code expected}, with unmatched columns as NaN, ready for the
 * ordinary comparison.
 */
final class DetectionColumns {
    private DetectionColumns() {}

    static float[] align(float[] actual, float[] expected, long[] shape, double tolerance) {
        int batch = (int) shape[0];
        int rows = (int) shape[1];
        int k = (int) shape[2];
        float[] out = actual.clone();
        for (int b = 0; b < batch; b++) {
            int base = b * rows * k;
            boolean[] used = new boolean[k];
            float lowest = Float.MAX_VALUE;
            for (int j = 0; j < k; j++) {
                lowest = Math.min(lowest, score(actual, base, rows, k, j));
            }
            for (int j = 0; j < k; j++) {
                int match = same(actual, expected, base, rows, k, j, j, tolerance) ? j : -1;
                for (int i = 0; i < k && match < 0; i++) {
                    if (!used[i] && same(actual, expected, base, rows, k, i, j, tolerance)) {
                        match = i;
                    }
                }
                if (match >= 0 && !used[match]) {
                    used[match] = true;
                    for (int r = 0; r < rows; r++) {
                        out[base + r * k + j] = actual[base + r * k + match];
                    }
                } else {
                    boolean boundaryTie = score(expected, base, rows, k, j) <= lowest + tolerance;
                    for (int r = 0; r < rows; r++) {
                        out[base + r * k + j] =
                                boundaryTie ? expected[base + r * k + j] : Float.NaN;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Actual column {@code a} shows expected column {@code e}: same class rows and boxes within the
     * tolerance.
     */
    private static boolean same(
            float[] actual, float[] expected, int base, int rows, int k, int a, int e, double tol) {
        for (int r = 0; r < rows; r++) {
            double x = expected[base + r * k + e];
            double d = Math.abs(actual[base + r * k + a] - x);
            if (!(d <= (r < 4 ? tol * Math.max(1.0, Math.abs(x)) : tol))) {
                return false;
            }
        }
        return true;
    }

    private static float score(float[] v, int base, int rows, int k, int j) {
        float s = 0;
        for (int r = 4; r < rows; r++) {
            s = Math.max(s, v[base + r * k + j]);
        }
        return s;
    }
}
