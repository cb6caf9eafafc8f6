package io.prunesweep.prune.unstructured;

import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The weights unstructured pruning may zero, and the counting of what it zeroed: every trainable
 * conv's weight (the DFL's fixed projection is not trainable and stays). Shared by the pruner, the
 * trainer's masks and the nonzero-parameter count, so all three mean the same tensors.
 */
public final class MaskedWeights {
    private MaskedWeights() {}

    /** State-dict names of the trainable conv weights, in graph order. */
    public static List<String> names(ModelGraph graph) {
        List<String> out = new ArrayList<>();
        for (Layer layer : graph.layers()) {
            for (Map.Entry<String, ConvSpec> e : layer.convs().entrySet()) {
                ConvSpec spec = e.getValue();
                if (!spec.trainable()) {
                    continue;
                }
                out.add(layer.prefix(e.getKey()) + (spec.bn() ? "conv.weight" : "weight"));
            }
        }
        return out;
    }

    /** Exactly-zero values among the conv weights of a host state dict. */
    public static long zeros(ModelGraph graph, Map<String, Tensor> stateDict) {
        long n = 0;
        for (String name : names(graph)) {
            Tensor t = stateDict.get(name);
            if (t == null) {
                continue;
            }
            for (float v : t.data()) {
                if (v == 0f) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Parameters that are not zero: the dense count minus the conv weights that are exactly 0. For
     * a structured (or dense) model no conv weight is exactly 0 after training, and this equals the
     * parameter count.
     */
    public static long nonzeroParameters(ModelGraph graph, Map<String, Tensor> stateDict) {
        return graph.parameterCount() - zeros(graph, stateDict);
    }
}
