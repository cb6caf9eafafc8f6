package io.prunesweep.model.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import io.prunesweep.model.nn.Ops;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * YOLO11's {@code C2PSA(c2, n, e=0.5)}: cv1 splits into (a, b); b runs through n {@code PSABlock}s
 * (multi-head self-attention with a depthwise positional conv, then a 2-conv FFN, both residual);
 * cv2 fuses. The attention's head layout ({@code heads}, {@code key_dim}, {@code head_dim}) is
 * explicit so pruning can keep it fixed while changing the widths around it.
 */
public final class C2psaModule implements ModuleType {
    @Override
    public List<String> names() {
        return List.of("C2PSA");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c1 = ctx.c1();
        int c2 = ctx.scaledWidth(ctx.intArg(0, c1));
        if (c1 != c2) {
            throw ctx.fail("C2PSA needs equal input and output channels, got " + c1 + " and " + c2);
        }
        double e = ctx.doubleArg(1, 0.5);
        int c = (int) (c1 * e);
        int heads = Math.max(c / 64, 1);
        int headDim = c / heads;
        int keyDim = (int) (headDim * 0.5);
        int qkv = c + keyDim * heads * 2;
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        convs.put("cv1", ConvSpec.conv(c1, 2 * c, 1, 1));
        convs.put("cv2", ConvSpec.conv(2 * c, c1, 1, 1));
        for (int j = 0; j < ctx.repeats(); j++) {
            putBlockConvs(convs, "m." + j + ".", c, qkv);
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("n", ctx.repeats());
        attrs.put("split", List.of(c, c));
        attrs.put("heads", heads);
        attrs.put("key_dim", keyDim);
        attrs.put("head_dim", headDim);
        return new Layer(
                ctx.index(),
                ctx.from(),
                "C2PSA",
                convs,
                attrs,
                ctx.inChannels(),
                c2,
                ctx.inStrides()[0]);
    }

    /**
     * The convs of one PSABlock (attention + FFN) under {@code prefix}; shared with YOLOv10's PSA.
     */
    static void putBlockConvs(Map<String, ConvSpec> convs, String prefix, int c, int qkv) {
        convs.put(prefix + "attn.qkv", ConvSpec.conv(c, qkv, 1, 1, null, 1, false));
        convs.put(prefix + "attn.proj", ConvSpec.conv(c, c, 1, 1, null, 1, false));
        convs.put(prefix + "attn.pe", ConvSpec.conv(c, c, 3, 1, null, c, false));
        convs.put(prefix + "ffn.0", ConvSpec.conv(c, 2 * c, 1, 1));
        convs.put(prefix + "ffn.1", ConvSpec.conv(2 * c, c, 1, 1, null, 1, false));
    }

    /** One PSABlock's channel wiring from space {@code in}; returns the block's output space. */
    static String wireBlock(Wiring w, String prefix, String in, int c, String why) {
        w.conv(prefix + "attn.qkv", in)
                .freeze(prefix + "attn.qkv", why)
                .fixed(prefix + "attn.v", c)
                .conv(prefix + "attn.pe", prefix + "attn.v")
                .conv(prefix + "attn.proj", prefix + "attn.v")
                .add(prefix + "attn", in, prefix + "attn.proj")
                .conv(prefix + "ffn.0", prefix + "attn")
                .conv(prefix + "ffn.1", prefix + "ffn.0")
                .add(prefix + "ffn", prefix + "attn", prefix + "ffn.1");
        return prefix + "ffn";
    }

    /**
     * Attention internals stay fixed: the PSA residual stream (cv1's second part, proj and ffn.1
     * outputs) must stay {@code heads * head_dim} wide for the head reshape, and qkv/pe/proj-input
     * follow the head layout. Prunable: cv1's first part, the FFN hidden channels and cv2's output.
     */
    @Override
    public Wiring wiring(Layer layer) {
        String why = "C2PSA attention keeps heads x head_dim";
        Wiring w = Wiring.of(layer).splitConv("cv1", "split", Wiring.in(0)).freeze("cv1[1]", why);
        int c = layer.intAttr("heads") * layer.intAttr("head_dim");
        String cur = "cv1[1]";
        for (int j = 0; j < layer.intAttr("n"); j++) {
            cur = wireBlock(w, "m." + j + ".", cur, c, why);
        }
        return w.conv("cv2", "cv1[0]", cur).output("cv2");
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        NDList ab = Ops.splitChannels(f.conv("cv1", in.get(0)), layer.intsAttr("split"));
        NDArray b = ab.get(1);
        int heads = layer.intAttr("heads");
        int keyDim = layer.intAttr("key_dim");
        int headDim = layer.intAttr("head_dim");
        int n = layer.intAttr("n");
        for (int j = 0; j < n; j++) {
            String p = "m." + j + ".";
            b = b.add(attention(f, p + "attn.", b, heads, keyDim, headDim));
            b = b.add(f.conv(p + "ffn.1", f.conv(p + "ffn.0", b)));
        }
        return new NDList(f.conv("cv2", Ops.concat(ab.get(0), b)));
    }

    /**
     * Multi-head self-attention with a depthwise positional conv on v (also used by YOLOv10's PSA).
     */
    static NDArray attention(
            LayerForward f, String p, NDArray x, int heads, int keyDim, int headDim) {
        long[] s = x.getShape().getShape();
        long batch = s[0], c = s[1], h = s[2], w = s[3], hw = h * w;
        NDArray qkv = f.conv(p + "qkv", x).reshape(batch, heads, 2L * keyDim + headDim, hw);
        NDList parts = qkv.split(new long[] {keyDim, 2L * keyDim}, 2);
        NDArray q = parts.get(0), k = parts.get(1), v = parts.get(2);
        NDArray attn =
                q.transpose(0, 1, 3, 2).matMul(k).mul((float) Math.pow(keyDim, -0.5)).softmax(-1);
        NDArray out = v.matMul(attn.transpose(0, 1, 3, 2)).reshape(batch, c, h, w);
        out = out.add(f.conv(p + "pe", v.reshape(batch, c, h, w)));
        return f.conv(p + "proj", out);
    }
}
