package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Network Slimming's L1 penalty on BatchNorm scale factors: after backward and before the optimizer
 * step, add {@code lambda_e * sign(gamma)} to the gradient of every prunable BN gamma (and
 * optionally {@code lambdaBeta_e * sign(beta)}), with {@code lambda_e = lambda * (1 - 0.9 * epoch /
 * epochs)} decaying linearly to 10 %.
 *
 * <p>Applied to the flat gradient vector in two ops: a coefficient vector (lambda_e on the selected
 * gammas, lambdaBeta_e on the selected betas, 0 elsewhere) is built once per epoch and multiplied
 * by {@code sign(w)}.
 */
public final class SparsityRegularizer implements AutoCloseable {
    private final List<Parameter> gammas;
    private final List<Parameter> betas;
    private final float lambda;
    private final float lambdaBeta;
    private final int epochs;
    private NDManager manager;
    private NDArray coefficients;
    private int coefficientEpoch = -1;

    public SparsityRegularizer(
            List<Parameter> gammas,
            List<Parameter> betas,
            float lambda,
            float lambdaBeta,
            int epochs) {
        this.gammas = List.copyOf(gammas);
        this.betas = List.copyOf(betas);
        this.lambda = lambda;
        this.lambdaBeta = lambdaBeta;
        this.epochs = epochs;
    }

    public float lambdaAt(int epoch) {
        return lambda * (1f - 0.9f * epoch / epochs);
    }

    public float lambdaBetaAt(int epoch) {
        return lambdaBeta * (1f - 0.9f * epoch / epochs);
    }

    public boolean active() {
        return (lambda > 0 && !gammas.isEmpty()) || (lambdaBeta > 0 && !betas.isEmpty());
    }

    /** {@code grads += coefficients(epoch) * sign(weights)}, both flat vectors of {@code flat}. */
    public void apply(int epoch, FlatParameters flat, NDArray grads, NDArray weights) {
        if (!active()) {
            return;
        }
        grads.addi(weights.sign().muli(coefficients(epoch, flat)));
    }

    private NDArray coefficients(int epoch, FlatParameters flat) {
        if (coefficientEpoch != epoch) {
            Map<Parameter, Float> coef = new IdentityHashMap<>();
            gammas.forEach(p -> coef.put(p, lambdaAt(epoch)));
            betas.forEach(p -> coef.put(p, lambdaBetaAt(epoch)));
            float[] c = new float[Math.toIntExact(flat.size())];
            List<Parameter> params = flat.parameters();
            long[][] ranges = flat.ranges();
            int found = 0;
            for (int i = 0; i < params.size(); i++) {
                Float v = coef.get(params.get(i));
                if (v == null) {
                    continue;
                }
                found++;
                java.util.Arrays.fill(c, (int) ranges[i][0], (int) ranges[i][1], v);
            }
            if (found != coef.size()) {
                throw new IllegalStateException(
                        "sparsity: " + (coef.size() - found) + " BN parameters are not optimised");
            }
            if (manager == null) {
                manager = flat.parameters().get(0).getArray().getManager().newSubManager();
            }
            if (coefficients != null) {
                coefficients.close();
            }
            coefficients = manager.create(c, new Shape(c.length));
            coefficientEpoch = epoch;
        }
        return coefficients;
    }

    public int size() {
        return gammas.size();
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
    }
}
