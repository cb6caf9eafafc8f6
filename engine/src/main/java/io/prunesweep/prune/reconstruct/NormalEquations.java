package io.prunesweep.prune.reconstruct;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * One least-squares fit {@code Y ≈ X W} with a ridge that pulls towards a prior {@code W₀} (the
 * un-refitted weights): {@code min ‖Y − XW‖² + λ‖W − W₀‖²}. It is solved for the correction {@code
 * Δ = W − W₀} from the prior's residual {@code R = Y − XW₀}: {@code (XᵀX + λI) Δ = XᵀR}. Only the
 * sufficient statistics {@code XᵀX}, {@code XᵀR} and {@code ‖R‖²} are kept (the products of a batch
 * in float32, their sums and the solve in float64), so memory is {@code d² + d·m} whatever the
 * number of rows.
 *
 * <p>Rows come in two sets: the fit's and the held-out images'. {@link #solve} fits each candidate
 * ridge on the fit rows and scores it on the held-out rows ({@code ‖R_h − X_hΔ‖²} from their
 * statistics), takes the best, and refits on all rows with it. A ridge that no candidate beats the
 * prior with on the held-out rows leaves the prior: a re-fit that only matches the calibration
 * images is worse than none.
 *
 * <p>Working on the residual keeps the rounding of the statistics proportional to the correction:
 * when nothing changed ({@code R} is rounding noise) the correction is rounding noise too, and the
 * error of the prior is {@code ‖R‖²} itself, not a difference of large sums. {@code λ} is {@code
 * ridge} times the mean of {@code diag(XᵀX)}, so it scales with the features.
 */
final class NormalEquations implements AutoCloseable {
    private final NDManager manager;
    private final int d;
    private final int m;
    private final NDArray prior;
    private final Sums fit;
    private final Sums heldOut;

    /** The sufficient statistics of one set of rows. */
    private final class Sums {
        final NDArray xtx = manager.zeros(new Shape(d, d), DataType.FLOAT64);
        final NDArray xtr = manager.zeros(new Shape(d, m), DataType.FLOAT64);
        double rtr;
        double yty;
        long rows;

        /** ‖R − XΔ‖² = ‖R‖² − 2⟨Δ, XᵀR⟩ + ⟨Δ, XᵀX Δ⟩ for these rows. */
        double error(NDArray delta, NDManager scope) {
            NDArray xtxDelta = xtx.matMul(delta);
            xtxDelta.attach(scope);
            NDArray a = delta.mul(xtr);
            a.attach(scope);
            NDArray b = delta.mul(xtxDelta);
            b.attach(scope);
            double e = rtr - 2 * a.sum().getDouble() + b.sum().getDouble();
            return Math.max(0, e);
        }
    }

    /**
     * @param prior {@code [d, m]} row-major
     */
    NormalEquations(NDManager parent, double[] prior, int d, int m) {
        this.manager = parent.newSubManager();
        this.d = d;
        this.m = m;
        float[] p = new float[prior.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) prior[i];
        }
        this.prior = manager.create(p, new Shape(d, m));
        this.fit = new Sums();
        this.heldOut = new Sums();
    }

    /**
     * Adds {@code n} rows to the fit or the held-out set: {@code x} is row-major {@code [n, d]},
     * {@code y} row-major {@code [n, m]}.
     */
    void add(float[] x, float[] y, int n, boolean held) {
        if (n == 0) {
            return;
        }
        Sums s = held ? heldOut : fit;
        try (NDManager scope = manager.newSubManager()) {
            NDArray xa = scope.create(x, new Shape(n, d));
            NDArray ya = scope.create(y, new Shape(n, m));
            NDArray r = ya.sub(xa.matMul(prior));
            NDArray xt = xa.transpose();
            s.xtx.addi(xt.matMul(xa).toType(DataType.FLOAT64, false));
            s.xtr.addi(xt.matMul(r).toType(DataType.FLOAT64, false));
            s.rtr += r.toType(DataType.FLOAT64, false).square().sum().getDouble();
            s.yty += ya.toType(DataType.FLOAT64, false).square().sum().getDouble();
        }
        s.rows += n;
    }

    long rows() {
        return fit.rows + heldOut.rows;
    }

    /**
     * The fit {@code [d, m]} row-major; the ridge chosen ({@code NaN}: the prior was kept); the
     * squared errors of the prior and of the chosen fit and the ‖Y‖² they are relative to, on the
     * held-out rows when there are any (the fit did not see them), otherwise on all rows.
     */
    record Solution(
            double[] w,
            double ridge,
            boolean heldOut,
            double sumSquares,
            double priorError,
            double fitError) {}

    /** Chooses among {@code ridges} on the held-out rows (see the class comment). */
    Solution solve(List<Double> ridges) {
        try (NDManager scope = manager.newSubManager()) {
            if (heldOut.rows == 0) {
                double ridge = ridges.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                NDArray delta = delta(fit.xtx, fit.xtr, ridge, scope);
                return solution(
                        delta, ridge, false, fit.yty, fit.rtr, fit.error(delta, scope), scope);
            }
            double best = Double.NaN;
            double bestError = heldOut.rtr;
            for (double ridge : ridges) {
                double e;
                try (NDManager candidate = scope.newSubManager()) { // d² per candidate, freed
                    e = heldOut.error(delta(fit.xtx, fit.xtr, ridge, candidate), candidate);
                }
                if (e < bestError) {
                    best = ridge;
                    bestError = e;
                }
            }
            if (Double.isNaN(best)) {
                NDArray zero = scope.zeros(new Shape(d, m), DataType.FLOAT64);
                return solution(zero, best, true, heldOut.yty, heldOut.rtr, heldOut.rtr, scope);
            }
            NDArray xtx = fit.xtx.add(heldOut.xtx);
            xtx.attach(scope);
            NDArray xtr = fit.xtr.add(heldOut.xtr);
            xtr.attach(scope);
            NDArray delta = delta(xtx, xtr, best, scope);
            return solution(delta, best, true, heldOut.yty, heldOut.rtr, bestError, scope);
        }
    }

    /** {@code (XᵀX + λI)⁻¹ XᵀR} with {@code λ = ridge · mean diag(XᵀX)}. */
    private NDArray delta(NDArray xtx, NDArray xtr, double ridge, NDManager scope) {
        NDArray diag = xtx.diagonal();
        diag.attach(scope);
        double mean = diag.mean().getDouble();
        double lambda = ridge * (mean > 0 ? mean : 1);
        NDArray a = scope.eye(d).toType(DataType.FLOAT64, false).muli(lambda).addi(xtx);
        NDArray delta = a.inverse().matMul(xtr);
        delta.attach(scope);
        return delta;
    }

    private Solution solution(
            NDArray delta,
            double ridge,
            boolean held,
            double yty,
            double priorError,
            double fitError,
            NDManager scope) {
        NDArray w = prior.toType(DataType.FLOAT64, false).add(delta);
        w.attach(scope);
        return new Solution(
                w.toDoubleArray(), ridge, held, yty, priorError, Math.min(fitError, priorError));
    }

    @Override
    public void close() {
        manager.close();
    }
}
