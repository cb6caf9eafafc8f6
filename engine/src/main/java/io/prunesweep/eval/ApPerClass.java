package io.prunesweep.eval;

import java.util.Arrays;

/**
 * ultralytics' {@code ap_per_class} (with {@code compute_ap}, method "interp"): per class that has
 * ground truth, the precision/recall curves over the detections in descending score order,
 * 101-point interpolated AP at each IoU threshold, and precision and recall at the score where the
 * smoothed class-mean F1 peaks.
 */
final class ApPerClass {
    private static final double EPS = 1e-16;
    private static final double[] X1000 = NumpyCompat.linspace(0, 1, 1000);
    private static final double[] NEG_X1000 = negate(X1000);
    private static final double[] X101 = NumpyCompat.linspace(0, 1, 101);

    /**
     * @param classes the classes with ground truth, ascending (ultralytics' {@code ap_class_index})
     * @param instances ground-truth count per entry of {@code classes}
     * @param p precision at the max-F1 score, per entry
     * @param r recall at the max-F1 score, per entry
     * @param f1 F1 at the max-F1 score, per entry
     * @param ap {@code [class][threshold]} AP
     * @param maxF1Index index into {@code linspace(0, 1, 1000)} of the score where the smoothed
     *     mean F1 peaks
     */
    record Result(
            int[] classes,
            int[] instances,
            double[] p,
            double[] r,
            double[] f1,
            double[][] ap,
            int maxF1Index) {
        int size() {
            return classes.length;
        }

        double ap50(int k) {
            return ap[k][0];
        }

        /** Mean over the IoU thresholds of one class ({@code all_ap.mean(1)}). */
        double ap50to95(int k) {
            return NumpyCompat.mean(ap[k]);
        }

        double meanPrecision() {
            return p.length == 0 ? 0.0 : NumpyCompat.mean(p);
        }

        double meanRecall() {
            return r.length == 0 ? 0.0 : NumpyCompat.mean(r);
        }

        double map50() {
            return ap.length == 0 ? 0.0 : NumpyCompat.sum(column0(), 0, ap.length, 1) / ap.length;
        }

        /** Mean over classes and thresholds ({@code all_ap.mean()} of the flattened array). */
        double map50to95() {
            if (ap.length == 0) {
                return 0.0;
            }
            int nt = ap[0].length;
            double[] flat = new double[ap.length * nt];
            for (int k = 0; k < ap.length; k++) {
                System.arraycopy(ap[k], 0, flat, k * nt, nt);
            }
            return NumpyCompat.mean(flat);
        }

        private double[] column0() {
            double[] c = new double[ap.length];
            for (int k = 0; k < ap.length; k++) {
                c[k] = ap[k][0];
            }
            return c;
        }
    }

    private ApPerClass() {}

    /**
     * @param tp per detection, bit {@code t} set when correct at IoU threshold {@code t}
     * @param conf per detection score
     * @param predCls per detection class
     * @param targetCls per ground-truth instance its class
     * @param nThr number of IoU thresholds (bits used in {@code tp})
     */
    static Result compute(int[] tp, float[] conf, int[] predCls, int[] targetCls, int nThr) {
        int n = conf.length;
        int[] order =
                descendingOrder(conf); // np.argsort(-conf), but stable: ties keep the order added

        int[] sortedTargets = targetCls.clone();
        Arrays.sort(sortedTargets);
        int[] classes = Arrays.stream(sortedTargets).distinct().toArray();
        int nc = classes.length;
        int[] nt = new int[nc];
        for (int c : targetCls) {
            nt[Arrays.binarySearch(classes, c)]++;
        }

        double[][] ap = new double[nc][nThr];
        double[][] pCurve = new double[nc][X1000.length];
        double[][] rCurve = new double[nc][X1000.length];
        // detections of each class with ground truth, in score order (one pass, not one per class)
        int[] count = new int[nc];
        int[] slot = new int[n];
        for (int k = 0; k < n; k++) {
            slot[k] = Arrays.binarySearch(classes, predCls[order[k]]);
            if (slot[k] >= 0) {
                count[slot[k]]++;
            }
        }
        double[][] negConfOf = new double[nc][];
        int[][] maskOf = new int[nc][];
        for (int ci = 0; ci < nc; ci++) {
            negConfOf[ci] = new double[count[ci]];
            maskOf[ci] = new int[count[ci]];
        }
        int[] fill = new int[nc];
        for (int k = 0; k < n; k++) {
            int ci = slot[k];
            if (ci >= 0) {
                negConfOf[ci][fill[ci]] = -(double) conf[order[k]];
                maskOf[ci][fill[ci]++] = tp[order[k]];
            }
        }
        for (int ci = 0; ci < nc; ci++) {
            int np = count[ci];
            if (np == 0) {
                continue;
            }
            double[] negConf = negConfOf[ci];
            int[] mask = maskOf[ci];
            double nl = nt[ci] + EPS;
            for (int t = 0; t < nThr; t++) {
                double[] recall = new double[np];
                double[] precision = new double[np];
                long tpc = 0;
                long fpc = 0;
                for (int k = 0; k < np; k++) {
                    if ((mask[k] >>> t & 1) != 0) {
                        tpc++;
                    } else {
                        fpc++;
                    }
                    recall[k] = tpc / nl;
                    precision[k] = (double) tpc / (double) (tpc + fpc);
                }
                if (t == 0) {
                    rCurve[ci] =
                            NumpyCompat.interp(NEG_X1000, negConf, recall, 0.0, recall[np - 1]);
                    pCurve[ci] =
                            NumpyCompat.interp(
                                    NEG_X1000, negConf, precision, 1.0, precision[np - 1]);
                }
                ap[ci][t] = computeAp(recall, precision);
            }
        }

        double[] p = new double[nc];
        double[] r = new double[nc];
        double[] f1 = new double[nc];
        if (nc == 0) {
            return new Result(classes, nt, p, r, f1, ap, 0);
        }
        double[][] f1Curve = new double[nc][X1000.length];
        double[] meanF1 = new double[X1000.length];
        for (int i = 0; i < X1000.length; i++) {
            double s = 0.0; // f1_curve.mean(0): rows accumulated in order
            for (int ci = 0; ci < nc; ci++) {
                double pv = pCurve[ci][i];
                double rv = rCurve[ci][i];
                f1Curve[ci][i] = 2 * pv * rv / (pv + rv + EPS);
                s += f1Curve[ci][i];
            }
            meanF1[i] = s / nc;
        }
        int best = NumpyCompat.argmax(NumpyCompat.smooth(meanF1, 0.1));
        for (int ci = 0; ci < nc; ci++) {
            p[ci] = pCurve[ci][best];
            r[ci] = rCurve[ci][best];
            f1[ci] = f1Curve[ci][best];
        }
        return new Result(classes, nt, p, r, f1, ap, best);
    }

    /**
     * {@code compute_ap}: 101-point interpolation of the precision envelope, integrated by
     * trapezoids.
     */
    static double computeAp(double[] recall, double[] precision) {
        int n = recall.length;
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        mrec[0] = 0.0;
        mpre[0] = 1.0;
        System.arraycopy(recall, 0, mrec, 1, n);
        System.arraycopy(precision, 0, mpre, 1, n);
        mrec[n + 1] = 1.0;
        mpre[n + 1] = 0.0;
        for (int i = n; i >= 0; i--) {
            mpre[i] = Math.max(mpre[i], mpre[i + 1]);
        }
        double[] y = NumpyCompat.interp(X101, mrec, mpre, mpre[0], mpre[n + 1]);
        return NumpyCompat.trapz(y, X101);
    }

    /**
     * Indices sorted by score descending, ties in index order: one primitive sort of {@code
     * (order-preserving bits of -score, index)} keys instead of a boxed comparator sort.
     */
    static int[] descendingOrder(float[] score) {
        int n = score.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits(-score[i]);
            int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
            keys[i] = ((long) sortable << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    private static double[] negate(double[] a) {
        double[] b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = -a[i];
        }
        return b;
    }
}
