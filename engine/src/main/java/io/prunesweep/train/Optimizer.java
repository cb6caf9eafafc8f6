package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.Map;

/**
 * A parameter update rule with per-group learning rate and momentum (PyTorch semantics), applied in
 * place after the gradient collector has closed. It works on the whole model as one flat vector
 * ({@link FlatParameters}), so a step is a fixed handful of tensor ops whatever the number of
 * parameters. {@link #state} exposes the buffers per parameter name for checkpoints.
 */
public interface Optimizer extends AutoCloseable {

    /** Per-group settings for one step: index 0 biases, 1 BN weights, 2 conv weights. */
    record GroupSettings(float[] lr, float momentum) {}

    /**
     * One step from this step's flat gradients and weights (copies made by {@link FlatParameters},
     * in the caller's scope; {@code grads} is consumed: it is modified in place).
     */
    void step(NDArray grads, NDArray weights, GroupSettings settings);

    /** One step reading the gradients from the parameters. */
    void step(GroupSettings settings);

    /** Optimizer state tensors by name (for resumable checkpoints). */
    Map<String, float[]> state();

    void loadState(Map<String, float[]> state);

    long steps();

    String name();

    @Override
    void close();

    /** An optimizer over {@code flat}, which the caller keeps and closes. */
    static Optimizer create(
            String name, FlatParameters flat, Map<Parameter, String> names, float weightDecay) {
        return switch (name) {
            case "SGD" -> new SgdOptimizer(flat, false, names, weightDecay);
            case "AdamW" -> new AdamWOptimizer(flat, false, names, weightDecay);
            default ->
                    throw new io.prunesweep.InputException(
                            "optimizer must be SGD, AdamW or auto, got '" + name + "'");
        };
    }

    /** An optimizer over {@code groups} with its own flat view (closed with the optimizer). */
    static Optimizer create(
            String name, ParamGroups groups, Map<Parameter, String> names, float weightDecay) {
        FlatParameters flat = new FlatParameters(groups);
        return switch (name) {
            case "SGD" -> new SgdOptimizer(flat, true, names, weightDecay);
            case "AdamW" -> new AdamWOptimizer(flat, true, names, weightDecay);
            default -> {
                flat.close();
                throw new io.prunesweep.InputException(
                        "optimizer must be SGD, AdamW or auto, got '" + name + "'");
            }
        };
    }
}
