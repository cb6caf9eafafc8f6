package io.prunesweep.train;

import ai.djl.nn.Parameter;
import java.util.Map;

/**
 * A parameter update rule with per-group learning rate and momentum (PyTorch semantics), applied in place after
 * the gradient collector has closed. {@link #state} exposes the per-parameter buffers for checkpoints.
 */
public interface Optimizer extends AutoCloseable {

    /** Per-group settings for one step: index 0 biases, 1 BN weights, 2 conv weights. */
    record GroupSettings(float[] lr, float momentum) {}

    void step(GroupSettings settings);

    /** Optimizer state tensors by name (for resumable checkpoints). */
    Map<String, float[]> state();

    void loadState(Map<String, float[]> state);

    long steps();

    String name();

    @Override
    void close();

    static Optimizer create(String name, ParamGroups groups, Map<Parameter, String> names, float weightDecay) {
        return switch (name) {
            case "SGD" -> new SgdOptimizer(groups, names, weightDecay);
            case "AdamW" -> new AdamWOptimizer(groups, names, weightDecay);
            default -> throw new io.prunesweep.InputException("optimizer must be SGD, AdamW or auto, got '" + name + "'");
        };
    }
}
