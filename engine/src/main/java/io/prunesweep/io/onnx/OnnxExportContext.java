package io.prunesweep.io.onnx;

import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.nn.BatchNormFolding;
import io.prunesweep.model.nn.LayerBlock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What an {@link OnnxExportable} gets for one layer: the graph under construction, the layer's
 * convs with their trained weights (BatchNorm already folded), its raw parameters, and the static
 * spatial sizes of its inputs (the export has a fixed image size; only the batch is symbolic).
 */
public final class OnnxExportContext {
    private final OnnxGraphBuilder builder;
    private final Layer layer;
    private final Map<String, Tensor> weights;
    private final List<int[]> inputSizes;

    OnnxExportContext(
            OnnxGraphBuilder builder,
            Layer layer,
            Map<String, Tensor> weights,
            List<int[]> inputSizes) {
        this.builder = builder;
        this.layer = layer;
        this.weights = weights;
        this.inputSizes = List.copyOf(inputSizes);
    }

    public OnnxGraphBuilder builder() {
        return builder;
    }

    public Layer layer() {
        return layer;
    }

    /** Spatial size {@code [h, w]} of input {@code i}. */
    public int[] inputSize(int i) {
        return inputSizes.get(i).clone();
    }

    /**
     * The conv at {@code path} applied to {@code x}: Conv with BatchNorm folded into its weight and
     * bias (see {@link BatchNormFolding}), then SiLU if the spec has it — what {@code
     * LayerForward.conv} computes in inference mode. Initializers are named after the state dict
     * ({@code model.N.path.weight}).
     */
    public String conv(String path, String x) {
        ConvSpec c = layer.conv(path);
        String p = layer.prefix(path);
        long[] shape = {c.out(), c.in() / c.groups(), c.kernel(), c.kernel()};
        float[] w = tensor(p + (c.bn() ? "conv.weight" : "weight"), shape).data();
        float[] b = c.bias() ? tensor(p + "bias", new long[] {c.out()}).data() : null;
        if (c.bn()) {
            long[] ch = {c.out()};
            BatchNormFolding.Folded f =
                    BatchNormFolding.fold(
                            w,
                            b,
                            c.out(),
                            tensor(p + "bn.weight", ch).data(),
                            tensor(p + "bn.bias", ch).data(),
                            tensor(p + "bn.running_mean", ch).data(),
                            tensor(p + "bn.running_var", ch).data(),
                            LayerBlock.BN_EPS);
            w = f.weight();
            b = f.bias();
        }
        String wName = builder.initializer(p + "weight", w, shape);
        String bName = b == null ? null : builder.initializer(p + "bias", b, c.out());
        ConvParams params =
                new ConvParams(
                        new int[] {c.stride(), c.stride()},
                        new int[] {c.padding(), c.padding(), c.padding(), c.padding()},
                        new int[] {c.dilation(), c.dilation()},
                        c.groups());
        String y = builder.conv(x, wName, bName, params);
        return c.act() ? builder.silu(y) : y;
    }

    /**
     * A raw parameter or buffer of this layer by its name within the layer, e.g. {@code
     * dfl.conv.weight}.
     */
    public Tensor parameter(String name) {
        String full = layer.prefix("") + name;
        Tensor t = weights.get(full);
        if (t == null) {
            throw new IllegalStateException(
                    "layer "
                            + layer.index()
                            + " ("
                            + layer.module()
                            + ") has no parameter '"
                            + full
                            + "'");
        }
        return t;
    }

    /** A float scalar constant (shape []), broadcast by the element-wise ops. */
    public String scalar(String hint, float value) {
        return builder.initializer(hint, new float[] {value});
    }

    private Tensor tensor(String name, long[] expectedShape) {
        Tensor t = weights.get(name);
        if (t == null) {
            throw new IllegalStateException(
                    "layer "
                            + layer.index()
                            + " ("
                            + layer.module()
                            + "): the model has no '"
                            + name
                            + "'");
        }
        if (t.size() != Arrays.stream(expectedShape).reduce(1, (a, b) -> a * b)) {
            throw new IllegalStateException(
                    "'"
                            + name
                            + "' has shape "
                            + Arrays.toString(t.shape())
                            + " but the graph says "
                            + Arrays.toString(expectedShape));
        }
        return t;
    }
}
