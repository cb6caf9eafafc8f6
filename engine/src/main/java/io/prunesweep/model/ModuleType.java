package io.prunesweep.model;

import ai.djl.ndarray.NDList;
import io.prunesweep.model.nn.LayerForward;
import java.util.List;

/**
 * One kind of YAML module ({@code Conv}, {@code C2f}, ...): how its YAML arguments become explicit
 * convs ({@link #define}), how it computes ({@link #forward}), what it costs ({@link #macs}) and
 * how it routes channels ({@link #wiring}). Register a custom module for one graph with {@code
 * ModuleRegistry.standard().with(type)}, or for every graph through {@code
 * META-INF/services/io.prunesweep.model.ModuleType}.
 */
public interface ModuleType {

    /** Names accepted in YAML (e.g. {@code nn.Upsample} and {@code Upsample}). */
    List<String> names();

    /**
     * Flags this module sets for the whole model when any row names it, read by other modules'
     * {@link #completeArgs} (ultralytics' {@code parse_model}: a C3k2 anywhere sets {@code legacy =
     * False}).
     */
    default java.util.Map<String, Object> modelFlags() {
        return java.util.Map.of();
    }

    /**
     * The type that defines a row naming this module: normally this one. A YAML name that stands
     * for more than one module picks by its arguments (ultralytics' {@code Detect} with anchors is
     * YOLOv5's anchor-based head).
     */
    default ModuleType resolve(List<Object> args, ModuleRegistry modules) {
        return this;
    }

    /**
     * Fills arguments a row leaves out from the model's {@link #modelFlags}, before {@link
     * #define}.
     */
    default void completeArgs(List<Object> args, java.util.Map<String, Object> modelFlags) {}

    /** Builds the layer node from a YAML row (ultralytics {@code parse_model} semantics). */
    Layer define(LayerContext ctx);

    /** Forward of one layer; {@code f} gives the layer's convs and the training flag. */
    NDList forward(Layer layer, LayerForward f, NDList inputs);

    /**
     * Multiply-accumulates (ultralytics/thop counting: convs, BatchNorm, nearest upsample) for
     * inputs of the given spatial sizes {@code [h, w]}.
     */
    default double macs(Layer layer, List<int[]> inputSizes) {
        int[] hw = inputSizes.get(0);
        double total = 0;
        for (ConvSpec c : layer.convs().values()) {
            total += Flops.convMacs(c, hw[0], hw[1]);
        }
        return total;
    }

    /** Spatial size of the output for the inputs' sizes. */
    default int[] outputSize(Layer layer, List<int[]> inputSizes) {
        return inputSizes.get(0);
    }

    /**
     * How the layer routes channels, for structured pruning (see {@code
     * io/prunesweep/graph/README.md}). The default, null, declares nothing: pruning then keeps all
     * of the layer's channels and the channels at its boundary, and works around it.
     */
    default Wiring wiring(Layer layer) {
        return null;
    }

    /**
     * Why this layer's outputs depend on all channels of a space at once (an attention gate that
     * pools over channels), or null when every output channel depends only on its own channels as
     * the {@link #wiring} says. A non-null answer keeps a pruned layer valid but not equal to the
     * original with the removed channels silenced; {@code prune.WiringHarness} then only checks
     * that pruning through it builds and runs.
     */
    default String mixesChannels(Layer layer) {
        return null;
    }

    /**
     * Initial bias of a plain conv, if the module wants one other than PyTorch's default (Detect
     * does).
     */
    default Float initialBias(Layer layer, String convPath) {
        return null;
    }

    /**
     * Initial values of a conv bias ({@code name} = {@code path.bias}) or of a layer tensor ({@link
     * Layer#tensors()}), if the module wants more than {@link #initialBias}: per-element values, or
     * values computed from attrs (YOLOv5's anchors). Null keeps the default: PyTorch's uniform init
     * for a bias or a parameter (fan-in = elements per first-axis slice), zeros for a buffer. Must
     * depend only on {@code seed} and the layer, like the default.
     */
    default ai.djl.training.initializer.Initializer initializer(
            Layer layer, String name, long seed) {
        return null;
    }
}
