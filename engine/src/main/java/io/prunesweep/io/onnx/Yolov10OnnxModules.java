package io.prunesweep.io.onnx;

import io.prunesweep.model.Layer;
import io.prunesweep.model.modules.V10DetectModule;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX of YOLOv10's C2fCIB, PSA and v10Detect (raw maps), op for op as their module types' forward.
 */
final class Yolov10OnnxModules {
    private Yolov10OnnxModules() {}

    /**
     * C2f with CIB blocks: split cv1, chain the CIBs on the second part, concat everything into
     * cv2.
     */
    static List<String> c2fCib(Layer l, OnnxExportContext ctx, List<String> in) {
        int[] split = l.intsAttr("split");
        String[] ab = ctx.builder().split(ctx.conv("cv1", in.get(0)), 1, split[0], split[1]);
        List<String> parts = new ArrayList<>(List.of(ab));
        String cur = ab[1];
        for (int j = 0; j < l.intAttr("n"); j++) {
            cur = cib(l, ctx, "m." + j + ".", cur);
            parts.add(cur);
        }
        return List.of(ctx.conv("cv2", ctx.builder().concat(1, parts.toArray(String[]::new))));
    }

    private static String cib(Layer l, OnnxExportContext ctx, String p, String x) {
        OnnxGraphBuilder g = ctx.builder();
        String q = p + "cv1.";
        String y = ctx.conv(q + "1", ctx.conv(q + "0", x));
        y =
                l.boolAttr("lk")
                        ? g.silu(g.add(ctx.conv(q + "2.conv", y), ctx.conv(q + "2.conv1", y)))
                        : ctx.conv(q + "2", y);
        y = ctx.conv(q + "4", ctx.conv(q + "3", y));
        boolean add = l.boolAttr("shortcut") && l.conv(q + "0").in() == l.conv(q + "4").out();
        return add ? g.add(x, y) : y;
    }

    /** PSA: cv1 split into (a, b); b += attn(b); b += ffn(b); cv2(cat(a, b)). */
    static List<String> psa(Layer l, OnnxExportContext ctx, List<String> in) {
        OnnxGraphBuilder g = ctx.builder();
        int[] split = l.intsAttr("split");
        String[] ab = g.split(ctx.conv("cv1", in.get(0)), 1, split[0], split[1]);
        String b =
                g.add(
                        ab[1],
                        BuiltinOnnxModules.attention(
                                ctx, l, "attn.", ab[1], split[1], ctx.inputSize(0)));
        b = g.add(b, ctx.conv("ffn.1", ctx.conv("ffn.0", b)));
        return List.of(ctx.conv("cv2", g.concat(1, ab[0], b)));
    }

    /** v10Detect in inference: the one-to-one maps (the one-to-many head only trains). */
    static List<String> v10Detect(Layer l, OnnxExportContext ctx, List<String> in) {
        List<String> out = new ArrayList<>();
        for (String h : new String[] {V10DetectModule.ONE2ONE}) {
            for (int i = 0; i < in.size(); i++) {
                String x = in.get(i);
                String b = h + "cv2." + i + ".";
                String box = ctx.conv(b + "2", ctx.conv(b + "1", ctx.conv(b + "0", x)));
                String c = h + "cv3." + i + ".";
                String cls =
                        ctx.conv(
                                c + "1.1",
                                ctx.conv(c + "1.0", ctx.conv(c + "0.1", ctx.conv(c + "0.0", x))));
                out.add(ctx.builder().concat(1, box, ctx.conv(c + "2", cls)));
            }
        }
        return out;
    }
}
