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
 * YOLOv10's {@code PSA(c2, e=0.5)}: partial self-attention, C2PSA with one block and the block's
 * convs directly on the layer ({@code attn.qkv}, {@code attn.proj}, {@code attn.pe}, {@code ffn.0},
 * {@code ffn.1}); {@code c // 64} heads. Pruning keeps the attention internals fixed and prunes
 * around them, as for C2PSA: the residual stream (cv1's second half, proj and ffn.1) stays {@code
 * heads x head_dim} wide; cv1's first half, the FFN hidden channels and cv2's output are prunable.
 */
public final class PsaModule implements ModuleType {
    @Override
    public List<String> names() {
        return List.of("PSA");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c1 = ctx.c1();
        int c2 = ctx.scaledWidth(ctx.intArg(0, c1));
        if (c1 != c2) {
            throw ctx.fail("PSA needs equal input and output channels, got " + c1 + " and " + c2);
        }
        double e = ctx.doubleArg(1, 0.5);
        int c = (int) (c1 * e);
        int heads = c / 64;
        if (heads < 1) {
            throw ctx.fail(
                    "PSA has "
                            + c
                            + " hidden channels, fewer than one 64-channel head; widen the layer");
        }
        int headDim = c / heads;
        int keyDim = (int) (headDim * 0.5);
        int qkv = c + keyDim * heads * 2;
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        convs.put("cv1", ConvSpec.conv(c1, 2 * c, 1, 1));
        convs.put("cv2", ConvSpec.conv(2 * c, c1, 1, 1));
        C2psaModule.putBlockConvs(convs, "", c, qkv);
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("split", List.of(c, c));
        attrs.put("heads", heads);
        attrs.put("key_dim", keyDim);
        attrs.put("head_dim", headDim);
        return new Layer(
                ctx.index(),
                ctx.from(),
                "PSA",
                convs,
                attrs,
                ctx.inChannels(),
                c2,
                ctx.inStrides()[0]);
    }

    @Override
    public Wiring wiring(Layer layer) {
        String why = "PSA attention keeps heads x head_dim";
        int c = layer.intAttr("heads") * layer.intAttr("head_dim");
        Wiring w = Wiring.of(layer).splitConv("cv1", "split", Wiring.in(0)).freeze("cv1[1]", why);
        String out = C2psaModule.wireBlock(w, "", "cv1[1]", c, why);
        return w.conv("cv2", "cv1[0]", out).output("cv2");
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        NDList ab = Ops.splitChannels(f.conv("cv1", in.get(0)), layer.intsAttr("split"));
        NDArray b = ab.get(1);
        b =
                b.add(
                        C2psaModule.attention(
                                f,
                                "attn.",
                                b,
                                layer.intAttr("heads"),
                                layer.intAttr("key_dim"),
                                layer.intAttr("head_dim")));
        b = b.add(f.conv("ffn.1", f.conv("ffn.0", b)));
        return new NDList(f.conv("cv2", Ops.concat(ab.get(0), b)));
    }
}
