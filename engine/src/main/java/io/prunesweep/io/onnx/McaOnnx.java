package io.prunesweep.io.onnx;

import io.prunesweep.model.Layer;
import io.prunesweep.model.modules.McaModule;
import java.util.List;

/**
 * ONNX export of {@link McaModule} (MCA attention): ReduceSum for the average and
 * standard-deviation pools, a {@code 1 x k} Conv for each gate, Sigmoid, Mul. An adapter next to
 * the exporter, registered in {@link BuiltinOnnxModules}, so the model package does not depend on
 * the ONNX code.
 */
final class McaOnnx {
    private McaOnnx() {}

    static List<String> export(Layer layer, OnnxExportContext ctx, List<String> inputs) {
        OnnxGraphBuilder g = ctx.builder();
        String x = inputs.get(0);
        int[] hw = ctx.inputSize(0);
        long[] dims = {0, layer.inChannels()[0], hw[0], hw[1]}; // batch symbolic
        String sum =
                g.add(
                        onnxGate(ctx, layer, "h_cw", x, dims, 2),
                        onnxGate(ctx, layer, "w_hc", x, dims, 3));
        if (!layer.boolAttr("no_spatial")) {
            return List.of(
                    g.mul(
                            g.add(onnxGate(ctx, layer, "c_hw", x, dims, 1), sum),
                            ctx.scalar("third", 1f / 3)));
        }
        return List.of(g.mul(sum, ctx.scalar("half", 0.5f)));
    }

    /**
     * {@code McaModule.gate} in ONNX ops, with the mixing weights' sigmoid folded into constants.
     */
    private static String onnxGate(
            OnnxExportContext ctx, Layer layer, String gate, String x, long[] dims, int axis) {
        OnnxGraphBuilder g = ctx.builder();
        int[] pooled = McaModule.otherAxes(axis);
        long n = dims[pooled[0]] * dims[pooled[1]];
        String axes = g.initializer(gate + "_axes", new long[] {pooled[0], pooled[1]}, 2);
        String avg = g.div(reduceSum(g, x, axes), ctx.scalar("n", n));
        String d = g.sub(x, avg);
        String std =
                g.op(
                        "Sqrt",
                        List.of(g.div(reduceSum(g, g.mul(d, d), axes), ctx.scalar("n_1", n - 1))));
        float[] w = ctx.parameter(gate + ".weight").data();
        float w0 = (float) (1 / (1 + Math.exp(-w[0])));
        float w1 = (float) (1 / (1 + Math.exp(-w[1])));
        String mixed =
                g.add(
                        g.add(
                                g.mul(g.add(avg, std), ctx.scalar("half", 0.5f)),
                                g.mul(avg, ctx.scalar("w0", w0))),
                        g.mul(std, ctx.scalar("w1", w1)));
        float[] kernel = ctx.parameter(gate + ".conv.weight").data();
        int pad = (kernel.length - 1) / 2;
        String wName =
                g.initializer(
                        layer.prefix(gate + ".conv") + "weight", kernel, 1, 1, 1, kernel.length);
        long len = dims[axis];
        String conv =
                g.conv(
                        g.reshape(mixed, 0, 1, 1, len),
                        wName,
                        null,
                        new ConvParams(
                                new int[] {1, 1}, new int[] {0, pad, 0, pad}, new int[] {1, 1}, 1));
        long[] back = {0, 1, 1, 1};
        back[axis] = len;
        return g.mul(x, g.sigmoid(g.reshape(conv, back)));
    }

    private static String reduceSum(OnnxGraphBuilder g, String x, String axes) {
        return g.op("ReduceSum", List.of(x, axes), OnnxAttribute.ofInt("keepdims", 1));
    }
}
