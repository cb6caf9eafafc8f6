package io.prunesweep.eval;

/**
 * The few NumPy routines ultralytics' metrics are built from, reproduced with NumPy's own
 * arithmetic order ({@code linspace}, {@code interp}, pairwise {@code sum}, {@code trapz}, the
 * box-filter {@code smooth}), so the figures agree to the last bits rather than merely to a
 * tolerance.
 */
final class NumpyCompat {
    private NumpyCompat() {}

    /**
     * {@code np.linspace(start, stop, num)}: {@code i * step + start}, last element exactly {@code
     * stop}.
     */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /**
     * {@code np.interp(x, xp, fp, left, right)} for a non-decreasing {@code xp}: the segment is the
     * last {@code j} with {@code xp[j] <= x}; points on a knot take its value.
     */
    static double[] interp(double[] x, double[] xp, double[] fp, double left, double right) {
        int n = xp.length;
        double[] res = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double xv = x[i];
            if (Double.isNaN(xv)) {
                res[i] = xv;
                continue;
            }
            if (xv > xp[n - 1]) {
                res[i] = right;
                continue;
            }
            if (xv < xp[0]) {
                res[i] = left;
                continue;
            }
            int j = upperBound(xp, xv) - 1;
            if (j == n - 1 || xp[j] == xv) {
                res[i] = fp[j];
                continue;
            }
            double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
            double v = slope * (xv - xp[j]) + fp[j];
            if (Double.isNaN(v)) {
                v = slope * (xv - xp[j + 1]) + fp[j + 1];
                if (Double.isNaN(v) && fp[j] == fp[j + 1]) {
                    v = fp[j];
                }
            }
            res[i] = v;
        }
        return res;
    }

    /** First index with {@code a[i] > key}. */
    private static int upperBound(double[] a, double key) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (key >= a[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * {@code np.add.reduce} of {@code n} values {@code a[off + i * stride]}: 0 plus NumPy's
     * pairwise sum.
     */
    static double sum(double[] a, int off, int n, int stride) {
        return 0.0 + pairwise(a, off, n, stride);
    }

    static double sum(double[] a) {
        return sum(a, 0, a.length, 1);
    }

    /** {@code a.mean()} as NumPy: pairwise sum divided by the count; 0 elements give NaN. */
    static double mean(double[] a) {
        return sum(a) / a.length;
    }

    private static double pairwise(double[] a, int off, int n, int stride) {
        if (n < 8) {
            double res = 0.;
            for (int i = 0; i < n; i++) {
                res += a[off + i * stride];
            }
            return res;
        } else if (n <= 128) {
            double[] r = new double[8];
            for (int k = 0; k < 8; k++) {
                r[k] = a[off + k * stride];
            }
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int k = 0; k < 8; k++) {
                    r[k] += a[off + (i + k) * stride];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[off + i * stride];
            }
            return res;
        } else {
            int n2 = n / 2;
            n2 -= n2 % 8;
            return pairwise(a, off, n2, stride) + pairwise(a, off + n2 * stride, n - n2, stride);
        }
    }

    /** {@code np.trapz(y, x)}: {@code sum(diff(x) * (y[1:] + y[:-1]) / 2.0)}. */
    static double trapz(double[] y, double[] x) {
        int n = y.length - 1;
        if (n <= 0) {
            return 0.0;
        }
        double[] terms = new double[n];
        for (int i = 0; i < n; i++) {
            terms[i] = (x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0;
        }
        return sum(terms);
    }

    /**
     * ultralytics {@code smooth(y, f)}: a box filter of {@code round(len * f * 2) // 2 + 1} taps
     * over {@code y} padded with its end values ({@code np.convolve(..., mode="valid")}).
     */
    static double[] smooth(double[] y, double f) {
        int nf = (int) Math.rint(y.length * f * 2) / 2 + 1;
        int half = nf / 2;
        double[] yp = new double[y.length + 2 * half];
        for (int i = 0; i < yp.length; i++) {
            int k = Math.min(Math.max(i - half, 0), y.length - 1);
            yp[i] = y[k];
        }
        double w = 1.0 / nf;
        double[] out = new double[y.length];
        for (int i = 0; i < out.length; i++) {
            double s = 0.0;
            for (int k = 0; k < nf; k++) {
                s += yp[i + k] * w;
            }
            out[i] = s;
        }
        return out;
    }

    /** {@code np.argmax}: the first index of the maximum (a NaN wins, as in NumPy). */
    static int argmax(double[] a) {
        int best = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i])) {
                return i;
            }
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }
}
