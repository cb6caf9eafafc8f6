package io.prunesweep.model.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import io.prunesweep.backend.Convolutions;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.TensorSpec;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Multidimensional collaborative attention ({@code MCALayer(inp, no_spatial=False)}, Yu et al.
 * 2023, reference implementation ndsclark/MCANet {@code mca_module.py}), as users add it to YOLOv8
 * YAMLs after C2f blocks: {@code [-1, 1, MCALayer, []]} (an optional first argument True means
 * {@code no_spatial}; a number there is taken as the YAML author's channel count and ignored, the
 * channels are the input's).
 *
 * <p>Three gates, one per dimension: for H (pooled over C and W), W (pooled over H and C) and C
 * (pooled over H and W). Each {@code MCAGate} pools by average and by (unbiased) standard
 * deviation, mixes them as {@code (avg + std) / 2 + sigmoid(w0) avg + sigmoid(w1) std} with its
 * two-element {@code weight}, runs a 1-D conv ({@code conv}, a {@code 1 x k} Conv2d without bias: k
 * = 3 for H and W, k from the channel count for C) along the gated dimension, and multiplies the
 * input by the sigmoid of that. The output is the mean of the three gated inputs. Parameters per
 * gate: {@code 2 + k}, as the reference (they are layer tensors, not convs: no BatchNorm).
 *
 * <p><b>Pruning.</b> Every branch multiplies the input by a gate, so the output has the input's
 * channels: one channel space runs through the layer ({@link #wiring}), and the gate weights do not
 * depend on the width. After pruning, the C gate's conv slides over the kept channels only and the
 * pooled statistics cover only kept channels, so a pruned network is not bit-equivalent to the
 * original with removed channels zeroed (as for any ECA-style gate); it is a valid, smaller network
 * that finetuning adapts.
 *
 * <p>This class is also the worked example of a user module (see {@code model/README.md}): a {@link
 * ModuleType} with wiring, no change to pruning code; its ONNX export is the adapter {@code
 * io.prunesweep.io.onnx.McaOnnx}, next to the exporter, so the model package stays free of export
 * code.
 */
public final class McaModule implements ModuleType {
    /** Gates and the dimension each one runs its 1-D conv along (1 = C, 2 = H, 3 = W of NCHW). */
    private static final String[] GATES = {"h_cw", "w_hc", "c_hw"};

    @Override
    public List<String> names() {
        return List.of("MCALayer", "MCA");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c = ctx.c1();
        int first =
                ctx.arg(0) instanceof Number
                        ? 1
                        : 0; // a channel count written in the YAML is informational
        boolean noSpatial = ctx.boolArg(first, false);
        // reference: lambd 1.5, gamma 1; Python's round() rounds half to even, as Math.rint
        int temp = (int) Math.rint(Math.abs((Math.log(c) / Math.log(2) - 1) / 1.5));
        int k = temp % 2 == 1 ? temp : temp - 1;
        if (!noSpatial && k < 1) {
            throw ctx.fail(
                    "MCALayer on "
                            + c
                            + " channels gets channel-gate kernel "
                            + k
                            + " (the reference formula"
                            + " needs at least 4 channels); widen the layer or pass [True] for no_spatial");
        }
        Map<String, TensorSpec> tensors = new LinkedHashMap<>();
        for (String g : GATES) {
            if (g.equals("c_hw") && noSpatial) {
                continue;
            }
            tensors.put(g + ".weight", TensorSpec.parameter(2));
            tensors.put(
                    g + ".conv.weight", TensorSpec.parameter(1, 1, 1, g.equals("c_hw") ? k : 3));
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("no_spatial", noSpatial);
        attrs.put("k", k);
        return new Layer(
                ctx.index(),
                ctx.from(),
                "MCALayer",
                Map.of(),
                attrs,
                ctx.inChannels(),
                c,
                ctx.inStrides()[0],
                tensors);
    }

    /** Gates multiply: output channel i is input channel i, one space through the layer. */
    @Override
    public String mixesChannels(Layer layer) {
        return "its gates pool over channels and its C gate's conv slides across them";
    }

    @Override
    public Wiring wiring(Layer layer) {
        return Wiring.of(layer).output(Wiring.in(0));
    }

    /**
     * The reference's {@code torch.rand(2)} for the mixing weights (uniform [0, 1)); the convs keep
     * PyTorch's default.
     */
    @Override
    public Initializer initializer(Layer layer, String name, long seed) {
        if (!name.endsWith(".weight") || name.endsWith("conv.weight")) {
            return null;
        }
        long s = seed * 0x9E3779B97F4A7C15L ^ layer.prefix(name).hashCode();
        return (m, shape, type) -> {
            SplittableRandom r = new SplittableRandom(s);
            float[] v = new float[(int) shape.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextDouble();
            }
            return m.create(v, shape).toType(type, false);
        };
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        NDArray x = in.get(0);
        NDArray sum = gate(f, "h_cw", x, 2).add(gate(f, "w_hc", x, 3));
        if (!layer.boolAttr("no_spatial")) {
            return new NDList(gate(f, "c_hw", x, 1).add(sum).mul(1f / 3));
        }
        return new NDList(sum.mul(0.5f));
    }

    /** x times the sigmoid gate along {@code axis}, pooled over the other two of C, H, W. */
    private static NDArray gate(LayerForward f, String g, NDArray x, int axis) {
        int[] pooled = otherAxes(axis);
        long[] s = x.getShape().getShape();
        long n = s[pooled[0]] * s[pooled[1]];
        NDArray avg = x.sum(pooled, true).div((float) n);
        NDArray std = x.sub(avg).square().sum(pooled, true).div((float) (n - 1)).sqrt();
        NDArray w = f.param(g + ".weight").getNDArrayInternal().sigmoid();
        w.attach(x.getManager()); // an op on a weight lands in the weight's (model's)
        // manager: keep it in the caller's scope
        NDArray mixed = avg.add(std).mul(0.5f).add(avg.mul(w.get(0))).add(std.mul(w.get(1)));
        NDArray kernel = f.param(g + ".conv.weight");
        long len = s[axis];
        int pad = (int) (kernel.getShape().get(3) - 1) / 2;
        NDArray seq = mixed.reshape(s[0], 1, 1, len);
        NDArray conv =
                Convolutions.conv2d(
                        seq, kernel, null, new Shape(1, 1), new Shape(0, pad), new Shape(1, 1), 1);
        long[] back = {s[0], 1, 1, 1};
        back[axis] = len;
        return x.mul(conv.reshape(back).getNDArrayInternal().sigmoid());
    }

    /** The two axes a gate pools over: the other two of C (1), H (2), W (3). */
    public static int[] otherAxes(int axis) {
        return axis == 1 ? new int[] {2, 3} : axis == 2 ? new int[] {1, 3} : new int[] {1, 2};
    }

    /**
     * thop's count: each gate's adaptive average pool ((pooled + 1) per output) and its 1-D conv;
     * std pooling is a custom op thop does not count.
     */
    @Override
    public double macs(Layer layer, List<int[]> in) {
        long c = layer.inChannels()[0];
        long h = in.get(0)[0];
        long w = in.get(0)[1];
        double total = (c * w + 1.0) * h + 3.0 * h + (h * c + 1.0) * w + 3.0 * w;
        if (!layer.boolAttr("no_spatial")) {
            total += (h * w + 1.0) * c + (double) layer.intAttr("k") * c;
        }
        return total;
    }
}
