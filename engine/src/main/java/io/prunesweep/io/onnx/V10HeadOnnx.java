package io.prunesweep.io.onnx;

import io.prunesweep.model.Layer;
import java.util.List;

/**
 * ONNX of v10Detect's NMS-free inference, op for op as {@code V10DetectModule.topK}: the one-to-one
 * maps decoded like Detect, TopK anchors by best class score, GatherElements of their boxes and
 * scores, TopK over the (anchor, class) pairs, one-hot scores.
 */
final class V10HeadOnnx implements OnnxHeadDecoder {
    static final V10HeadOnnx INSTANCE = new V10HeadOnnx();

    private V10HeadOnnx() {}

    /** The one-to-one maps decoded like Detect, {@code [B, 4 + nc, A]}. */
    @Override
    public OnnxHeadDecoder.Decoded emitBeforeSelection(
            Layer head, OnnxExportContext ctx, List<String> raw, List<int[]> sizes) {
        String dense =
                DetectDecode.emit(
                        ctx.builder(),
                        head,
                        raw.subList(raw.size() - sizes.size(), raw.size()),
                        sizes,
                        ctx.parameter("dfl.conv.weight"));
        return new OnnxHeadDecoder.Decoded(
                dense, sizes.stream().mapToLong(s -> (long) s[0] * s[1]).sum());
    }

    @Override
    public OnnxHeadDecoder.Decoded emitDecode(
            Layer head, OnnxExportContext ctx, List<String> raw, List<int[]> sizes) {
        OnnxGraphBuilder g = ctx.builder();
        int nc = head.intAttr("nc");
        String dense = emitBeforeSelection(head, ctx, raw, sizes).tensor();
        long anchors = sizes.stream().mapToLong(s -> (long) s[0] * s[1]).sum();
        long k = Math.min(head.intAttr("max_det"), anchors);
        String[] boxScores = g.split(dense, 1, 4, nc);
        String best =
                g.op(
                        "ReduceMax",
                        List.of(boxScores[1]),
                        OnnxAttribute.ofInts("axes", 1L),
                        OnnxAttribute.ofInt("keepdims", 0));
        String idx = unsqueeze(g, topK(g, best, k)[1]);
        String boxes =
                g.op(
                        "GatherElements",
                        List.of(boxScores[0], expand(g, idx, 4)),
                        OnnxAttribute.ofInt("axis", 2));
        String scores =
                g.op(
                        "GatherElements",
                        List.of(boxScores[1], expand(g, idx, nc)),
                        OnnxAttribute.ofInt("axis", 2));
        String[] pairs = topK(g, g.reshape(g.transpose(scores, 0, 2, 1), 0, k * nc), k);
        String ncConst = g.initializer("nc", new long[] {nc});
        String anchor =
                g.op("Div", List.of(pairs[1], ncConst)); // int64: floor for non-negative values
        String cls = g.sub(pairs[1], g.mul(anchor, ncConst));
        String box =
                g.op(
                        "GatherElements",
                        List.of(boxes, expand(g, unsqueeze(g, anchor), 4)),
                        OnnxAttribute.ofInt("axis", 2));
        long[] range = new long[nc];
        for (int c = 0; c < nc; c++) {
            range[c] = c;
        }
        String classes = g.initializer("classes", range, 1, nc, 1);
        String hit =
                g.op(
                        "Cast",
                        List.of(g.op("Equal", List.of(classes, unsqueeze(g, cls)))),
                        OnnxAttribute.ofInt("to", 1));
        String oneHot = g.mul(hit, unsqueeze(g, pairs[0]));
        return new OnnxHeadDecoder.Decoded(g.concat(1, box, oneHot), k);
    }

    /** Values and indices of the k largest along axis 1, sorted. */
    private static String[] topK(OnnxGraphBuilder g, String x, long k) {
        String values = g.uniqueName("topk_values");
        String indices = g.uniqueName("topk_indices");
        g.node(
                "TopK",
                List.of(x, g.initializer("k", new long[] {k}, 1)),
                List.of(values, indices),
                List.of(
                        OnnxAttribute.ofInt("axis", 1),
                        OnnxAttribute.ofInt("largest", 1),
                        OnnxAttribute.ofInt("sorted", 1)));
        return new String[] {values, indices};
    }

    /** [B, k] to [B, 1, k]. */
    private static String unsqueeze(OnnxGraphBuilder g, String x) {
        return g.op("Unsqueeze", List.of(x, g.initializer("axis1", new long[] {1}, 1)));
    }

    /** [B, 1, k] broadcast to [B, rows, k]. */
    private static String expand(OnnxGraphBuilder g, String x, long rows) {
        return g.op(
                "Expand", List.of(x, g.initializer("expand_shape", new long[] {1, rows, 1}, 3)));
    }
}
