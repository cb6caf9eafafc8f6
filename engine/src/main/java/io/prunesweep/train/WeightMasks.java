package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.unstructured.MaskedWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps the zeros of an unstructured-pruned model through training: for every conv weight with a
 * zero, a 0/1 mask taken from the weights when training starts, multiplied into the weight after
 * each optimizer step (one in-place multiply per masked tensor, so a masked weight is exactly 0
 * again before the EMA sees it). Gradients and optimizer state of masked weights still move; only
 * the weight itself is reset.
 */
public final class WeightMasks implements AutoCloseable {
    /**
     * Checkpoint metadata marking a model whose zero conv weights are a mask to keep ({@code
     * zeros}).
     */
    public static final String METADATA_KEY = "prunesweep.weight_mask";

    public static final String ZEROS = "zeros";

    private final NDManager manager;
    private final List<NDArray> weights = new ArrayList<>();
    private final List<NDArray> masks = new ArrayList<>();

    private WeightMasks(YoloModel model) {
        this.manager = model.manager().newSubManager();
        Map<String, Parameter> params = model.network().parameters();
        for (String name : MaskedWeights.names(model.graph())) {
            Parameter p = params.get(name);
            if (p == null) {
                continue;
            }
            NDArray w = p.getArray();
            NDArray mask;
            try (NDManager tmp = manager.newSubManager()) {
                NDArray nonzero = w.neq(0f);
                nonzero.attach(tmp);
                if (nonzero.all().getBoolean()) {
                    continue; // nothing zero: nothing to keep
                }
                mask = nonzero.toType(DataType.FLOAT32, false);
                mask.attach(manager);
            }
            weights.add(w);
            masks.add(mask);
        }
    }

    /** Masks for the conv weights of {@code model} that are exactly 0 now. */
    public static WeightMasks ofZeros(YoloModel model) {
        return new WeightMasks(model);
    }

    /** Number of masked tensors. */
    public int size() {
        return masks.size();
    }

    /** Sets every masked weight back to exactly 0. */
    public void apply() {
        for (int i = 0; i < masks.size(); i++) {
            weights.get(i).muli(masks.get(i));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
