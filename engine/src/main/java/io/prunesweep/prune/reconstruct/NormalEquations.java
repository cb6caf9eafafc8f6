package io.prunesweep.prune.reconstruct;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * One least-squares fit {@code Y ≈ X W} with a ridge that pulls towards a prior {@code W₀} (the
 * un-refitted weights): {@code min ‖Y − XW‖² + λ‖W − W₀‖²}. It is solved for the correction {@code
 * Δ = W − W₀} from the prior's residual {@code R = Y − XW₀}: {@code (XᵀX + λI) Δ = XᵀR}. Only the
 * sufficient statistics {@code XᵀX}, {@code XᵀR} and {@code ‖R‖²} are kept (the products of a batch
 * in float32, their sums and the solve in float64), so memory is {@code d² + d·m} whatever the
 * number of rows.
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
    private final NDArray xtx;
    private final NDArray xtr;
    private double rtr;
    private double yty;
    private long rows;

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
        this.xtx = manager.zeros(new Shape(d, d), DataType.FLOAT64);
        this.xtr = manager.zeros(new Shape(d, m), DataType.FLOAT64);
    }

    /**
     * Adds {@code n} rows: {@code x} is row-major {@code [n, d]}, {@code y} row-major {@code [n,
     * m]}.
     */
    void add(float[] x, float[] y, int n) {
        if (n == 0) {
            return;
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray xa = scope.create(x, new Shape(n, d));
            NDArray ya = scope.create(y, new Shape(n, m));
            NDArray r = ya.sub(xa.matMul(prior));
            NDArray xt = xa.transpose();
            xtx.addi(xt.matMul(xa).toType(DataType.FLOAT64, false));
            xtr.addi(xt.matMul(r).toType(DataType.FLOAT64, false));
            rtr += r.toType(DataType.FLOAT64, false).square().sum().getDouble();
            yty += ya.toType(DataType.FLOAT64, false).square().sum().getDouble();
        }
        rows += n;
    }

    long rows() {
        return rows;
    }

    /** ‖Y‖² over the rows: the scale errors are relative to. */
    double sumSquares() {
        return yty;
    }

    /**
     * The fit {@code [d, m]} row-major, and the squared errors of the prior and of the fit on the
     * rows.
     */
    record Solution(double[] w, double priorError, double fitError) {}

    Solution solve(double ridge) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray diag = xtx.diagonal();
            diag.attach(scope);
            double mean = diag.mean().getDouble();
            double lambda = ridge * (mean > 0 ? mean : 1);
            NDArray a = scope.eye(d).toType(DataType.FLOAT64, false).muli(lambda).addi(xtx);
            NDArray delta = a.inverse().matMul(xtr);
            delta.attach(scope);
            // ‖R − XΔ‖² = ‖R‖² − 2⟨Δ, XᵀR⟩ + ⟨Δ, XᵀX Δ⟩
            NDArray xtxDelta = xtx.matMul(delta);
            xtxDelta.attach(scope);
            double fit =
                    rtr
                            - 2 * delta.mul(xtr).sum().getDouble()
                            + delta.mul(xtxDelta).sum().getDouble();
            NDArray w = prior.toType(DataType.FLOAT64, false).add(delta);
            w.attach(scope);
            return new Solution(w.toDoubleArray(), rtr, Math.max(0, Math.min(fit, rtr)));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
