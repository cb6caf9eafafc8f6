package io.prunesweep.io.onnx;

import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ONNX export of the built-in module types ({@code io.prunesweep.model.modules}), keyed by YAML
 * name. Each mirrors its type's {@code forward} op for op, reading widths only from the layer's
 * convs/attrs so pruned graphs export as they run. Kept here rather than on the module classes so
 * the model package stays free of export code.
 */
final class BuiltinOnnxModules {
    private BuiltinOnnxModules() {}

    private static final OnnxExportable CONV = (l, ctx, in) -> List.of(ctx.conv("", in.get(0)));

    private static final Map<String, OnnxExportable> BY_NAME =
            Map.ofEntries(
                    Map.entry("Conv", CONV),
                    Map.entry("DWConv", CONV),
                    Map.entry(
                            "Bottleneck",
                            (l, ctx, in) ->
                                    List.of(
                                            bottleneck(
                                                    ctx,
                                                    l,
                                                    "",
                                                    in.get(0),
                                                    l.boolAttr("shortcut")))),
                    Map.entry("C2f", BuiltinOnnxModules::c2f),
                    Map.entry("C3k2", BuiltinOnnxModules::c2f),
                    Map.entry(
                            "C3",
                            (l, ctx, in) ->
                                    List.of(c3(ctx, l, "", in.get(0), l.boolAttr("shortcut")))),
                    Map.entry(
                            "C3k",
                            (l, ctx, in) ->
                                    List.of(c3(ctx, l, "", in.get(0), l.boolAttr("shortcut")))),
                    Map.entry("SPPF", BuiltinOnnxModules::sppf),
                    Map.entry("C2PSA", BuiltinOnnxModules::c2psa),
                    Map.entry(
                            "Concat",
                            (l, ctx, in) ->
                                    List.of(
                                            in.size() == 1
                                                    ? in.get(0)
                                                    : ctx.builder()
                                                            .concat(1, in.toArray(String[]::new)))),
                    Map.entry("Upsample", BuiltinOnnxModules::upsample),
                    Map.entry("nn.Upsample", BuiltinOnnxModules::upsample),
                    Map.entry("Detect", BuiltinOnnxModules::detect),
                    Map.entry(
                            "SCDown",
                            (l, ctx, in) -> List.of(ctx.conv("cv2", ctx.conv("cv1", in.get(0))))),
                    Map.entry("C2fCIB", Yolov10OnnxModules::c2fCib),
                    Map.entry("PSA", Yolov10OnnxModules::psa),
                    Map.entry("v10Detect", Yolov10OnnxModules::v10Detect),
                    Map.entry("AnchorDetect", AnchorHeadOnnx::raw),
                    Map.entry("MCALayer", McaOnnx::export),
                    Map.entry("MCA", McaOnnx::export));

    /** The exporter of a built-in module name, or null. */
    static OnnxExportable find(String module) {
        return BY_NAME.get(module);
    }

    /**
     * Residual add only where the engine adds: shortcut and cv1.in == cv2.out (as
     * Bottlenecks.forward).
     */
    private static String bottleneck(
            OnnxExportContext ctx, Layer l, String prefix, String x, boolean shortcut) {
        String y = ctx.conv(prefix + "cv2", ctx.conv(prefix + "cv1", x));
        boolean add = shortcut && l.conv(prefix + "cv1").in() == l.conv(prefix + "cv2").out();
        return add ? ctx.builder().add(x, y) : y;
    }

    private static int count(Map<String, ConvSpec> convs, String prefix) {
        int n = 0;
        while (convs.containsKey(prefix + n + ".cv1")) {
            n++;
        }
        return n;
    }

    /** C3 body: cv3(cat(m(cv1(x)), cv2(x))). */
    private static String c3(
            OnnxExportContext ctx, Layer l, String prefix, String x, boolean shortcut) {
        String y = ctx.conv(prefix + "cv1", x);
        int n = count(l.convs(), prefix + "m.");
        for (int j = 0; j < n; j++) {
            y = bottleneck(ctx, l, prefix + "m." + j + ".", y, shortcut);
        }
        return ctx.conv(prefix + "cv3", ctx.builder().concat(1, y, ctx.conv(prefix + "cv2", x)));
    }

    /**
     * C2f / C3k2: split cv1's output, chain the blocks on the second part, concat everything into
     * cv2.
     */
    private static List<String> c2f(Layer l, OnnxExportContext ctx, List<String> in) {
        int[] split = l.intsAttr("split");
        boolean shortcut = l.boolAttr("shortcut");
        boolean c3k = l.boolAttr("c3k");
        String[] ab = ctx.builder().split(ctx.conv("cv1", in.get(0)), 1, split[0], split[1]);
        List<String> parts = new ArrayList<>(List.of(ab));
        String cur = ab[1];
        int n = count(l.convs(), "m.");
        for (int j = 0; j < n; j++) {
            String p = "m." + j + ".";
            cur = c3k ? c3(ctx, l, p, cur, shortcut) : bottleneck(ctx, l, p, cur, shortcut);
            parts.add(cur);
        }
        return List.of(ctx.conv("cv2", ctx.builder().concat(1, parts.toArray(String[]::new))));
    }

    private static List<String> sppf(Layer l, OnnxExportContext ctx, List<String> in) {
        int k = l.intAttr("k");
        OnnxGraphBuilder g = ctx.builder();
        String y0 = ctx.conv("cv1", in.get(0));
        String y1 = g.maxPool(y0, k, 1, k / 2);
        String y2 = g.maxPool(y1, k, 1, k / 2);
        String y3 = g.maxPool(y2, k, 1, k / 2);
        return List.of(ctx.conv("cv2", g.concat(1, y0, y1, y2, y3)));
    }

    private static List<String> upsample(Layer l, OnnxExportContext ctx, List<String> in) {
        return List.of(ctx.builder().resizeNearest(in.get(0), l.intAttr("scale")));
    }

    /** C2PSA: cv1 split into (a, b); b += attn(b); b += ffn(b) per PSA block; cv2(cat(a, b)). */
    private static List<String> c2psa(Layer l, OnnxExportContext ctx, List<String> in) {
        OnnxGraphBuilder g = ctx.builder();
        int[] split = l.intsAttr("split");
        String[] ab = g.split(ctx.conv("cv1", in.get(0)), 1, split[0], split[1]);
        String b = ab[1];
        int[] hw = ctx.inputSize(0);
        for (int j = 0; j < l.intAttr("n"); j++) {
            String p = "m." + j + ".";
            b = g.add(b, attention(ctx, l, p + "attn.", b, split[1], hw));
            b = g.add(b, ctx.conv(p + "ffn.1", ctx.conv(p + "ffn.0", b)));
        }
        return List.of(ctx.conv("cv2", g.concat(1, ab[0], b)));
    }

    /**
     * PSA attention exactly as C2psaModule.attention: qkv reshaped to [B, heads, 2*key_dim +
     * head_dim, HW] and split on axis 2; attn = softmax((q^T k) * key_dim^-0.5) over the last axis;
     * out = v attn^T reshaped to [B, c, H, W], plus the positional conv of v (also as [B, c, H,
     * W]); then proj.
     */
    static String attention(OnnxExportContext ctx, Layer l, String p, String x, int c, int[] hw) {
        OnnxGraphBuilder g = ctx.builder();
        int heads = l.intAttr("heads");
        int keyDim = l.intAttr("key_dim");
        int headDim = l.intAttr("head_dim");
        String qkv =
                g.reshape(
                        ctx.conv(p + "qkv", x),
                        0,
                        heads,
                        2L * keyDim + headDim,
                        (long) hw[0] * hw[1]);
        String[] qkvParts = g.split(qkv, 2, keyDim, keyDim, headDim);
        String q = qkvParts[0], k = qkvParts[1], v = qkvParts[2];
        String scores =
                g.mul(
                        g.matMul(g.transpose(q, 0, 1, 3, 2), k),
                        ctx.scalar(l.prefix(p) + "scale", (float) Math.pow(keyDim, -0.5)));
        String attn = g.softmax(scores, -1);
        String out = g.reshape(g.matMul(v, g.transpose(attn, 0, 1, 3, 2)), 0, c, hw[0], hw[1]);
        out = g.add(out, ctx.conv(p + "pe", g.reshape(v, 0, c, hw[0], hw[1])));
        return ctx.conv(p + "proj", out);
    }

    /**
     * Detect: per level cat(box branch, class branch) — the raw maps; the exporter decodes them.
     */
    private static List<String> detect(Layer l, OnnxExportContext ctx, List<String> in) {
        boolean legacy = l.boolAttr("legacy");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String x = in.get(i);
            String box =
                    ctx.conv(
                            "cv2." + i + ".2",
                            ctx.conv("cv2." + i + ".1", ctx.conv("cv2." + i + ".0", x)));
            String cls = x;
            for (int stage = 0; stage < 2; stage++) {
                String s = "cv3." + i + "." + stage;
                cls = legacy ? ctx.conv(s, cls) : ctx.conv(s + ".1", ctx.conv(s + ".0", cls));
            }
            cls = ctx.conv("cv3." + i + ".2", cls);
            out.add(ctx.builder().concat(1, box, cls));
        }
        return out;
    }
}
