package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * Network Slimming's L1 penalty on BatchNorm scale factors: after backward and before the optimizer step, add
 * {@code lambda_e * sign(gamma)} to the gradient of every prunable BN gamma (and optionally {@code lambdaBeta_e *
 * sign(beta)}), with {@code lambda_e = lambda * (1 - 0.9 * epoch / epochs)} decaying linearly to 10 %.
 */
public final class SparsityRegularizer {
    private final List<Parameter> gammas;
    private final List<Parameter> betas;
    private final float lambda;
    private final float lambdaBeta;
    private final int epochs;

    public SparsityRegularizer(List<Parameter> gammas, List<Parameter> betas, float lambda, float lambdaBeta, int epochs) {
        this.gammas = List.copyOf(gammas);
        this.betas = List.copyOf(betas);
        this.lambda = lambda;
        this.lambdaBeta = lambdaBeta;
        this.epochs = epochs;
    }

    public float lambdaAt(int epoch) {
        return lambda * (1f - 0.9f * epoch / epochs);
    }

    public boolean active() {
        return lambda > 0 || lambdaBeta > 0;
    }

    public void apply(int epoch, NDManager scope) {
        float decay = 1f - 0.9f * epoch / epochs;
        add(gammas, lambda * decay, scope);
        add(betas, lambdaBeta * decay, scope);
    }

    private static void add(List<Parameter> params, float coefficient, NDManager scope) {
        if (coefficient == 0f) return;
        for (Parameter p : params) {
            NDArray w = p.getArray();
            NDArray g = w.getGradient();
            g.attach(scope);
            NDArray sign = w.stopGradient().sign();
            sign.attach(scope);
            g.addi(sign.muli(coefficient));
        }
    }

    public int size() {
        return gammas.size();
    }
}
