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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * YOLOv10's {@code C2fCIB(c2, n, shortcut=False, lk=False, g=1, e=0.5)}: a C2f whose blocks are
 * compact inverted blocks. {@code CIB(c, c, shortcut, e=1.0, lk)} is {@code cv1 = [dw3x3(c), pw(c
 * -> 2c), dw3x3(2c) or RepVGGDW(2c), pw(2c -> c), dw3x3(c)]}, plus its input when it has a
 * shortcut; {@code RepVGGDW} is {@code SiLU(dw7x7(x) + dw3x3(x))} (both with BatchNorm, no
 * activation). Depthwise convs keep their input's channels, so pruning narrows them with the
 * pointwise convs that feed them.
 */
public final class C2fCibModule implements ModuleType {
    @Override
    public List<String> names() {
        return List.of("C2fCIB");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c2 = ctx.scaledWidth(ctx.intArg(0, ctx.c1()));
        int n = ctx.repeats();
        boolean shortcut = ctx.boolArg(1, false);
        boolean lk = ctx.boolArg(2, false);
        double e = ctx.doubleArg(4, 0.5);
        int c = (int) (c2 * e);
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        convs.put("cv1", ConvSpec.conv(ctx.c1(), 2 * c, 1, 1));
        convs.put("cv2", ConvSpec.conv((2 + n) * c, c2, 1, 1));
        for (int j = 0; j < n; j++) {
            String p = "m." + j + ".cv1.";
            convs.put(p + "0", ConvSpec.conv(c, c, 3, 1, null, c, true));
            convs.put(p + "1", ConvSpec.conv(c, 2 * c, 1, 1));
            if (lk) {
                convs.put(p + "2.conv", ConvSpec.conv(2 * c, 2 * c, 7, 1, 3, 2 * c, false));
                convs.put(p + "2.conv1", ConvSpec.conv(2 * c, 2 * c, 3, 1, 1, 2 * c, false));
            } else {
                convs.put(p + "2", ConvSpec.conv(2 * c, 2 * c, 3, 1, null, 2 * c, true));
            }
            convs.put(p + "3", ConvSpec.conv(2 * c, c, 1, 1));
            convs.put(p + "4", ConvSpec.conv(c, c, 3, 1, null, c, true));
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("n", n);
        attrs.put("shortcut", shortcut);
        attrs.put("lk", lk);
        attrs.put("split", List.of(c, c));
        return new Layer(
                ctx.index(),
                ctx.from(),
                "C2fCIB",
                convs,
                attrs,
                ctx.inChannels(),
                c2,
                ctx.inStrides()[0]);
    }

    @Override
    public Wiring wiring(Layer layer) {
        Wiring w =
                Wiring.of(layer)
                        .splitConv("cv1", "split", Wiring.in(0))
                        .sameWidth("cv1[0]", "cv1[1]");
        List<String> parts = new ArrayList<>(List.of("cv1[0]", "cv1[1]"));
        String cur = "cv1[1]";
        for (int j = 0; j < layer.intAttr("n"); j++) {
            cur = wireCib(w, layer, "m." + j + ".", cur);
            parts.add(cur);
        }
        return w.conv("cv2", parts.toArray(String[]::new)).output("cv2");
    }

    /** One CIB reading {@code x}; returns the name of its output. */
    private static String wireCib(Wiring w, Layer layer, String p, String x) {
        String q = p + "cv1.";
        w.conv(q + "0", x).conv(q + "1", q + "0");
        String mid;
        if (layer.boolAttr("lk")) {
            // both depthwise branches keep cv1.1's channels; their sum is the same space again
            w.conv(q + "2.conv", q + "1")
                    .conv(q + "2.conv1", q + "1")
                    .add(q + "2", q + "2.conv", q + "2.conv1");
            mid = q + "2";
        } else {
            w.conv(q + "2", q + "1");
            mid = q + "2";
        }
        w.conv(q + "3", mid).conv(q + "4", q + "3");
        if (!layer.boolAttr("shortcut")) {
            return q + "4";
        }
        if (layer.conv(q + "0").in()
                == layer.conv(q + "4").out()) { // upstream: add = shortcut and c1 == c2
            w.add(p + "add", x, q + "4");
            return p + "add";
        }
        w.freeze(x, "shortcut without add (widths differ)")
                .freeze(q + "4", "shortcut without add (widths differ)");
        return q + "4";
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        NDList y = Ops.splitChannels(f.conv("cv1", in.get(0)), layer.intsAttr("split"));
        NDList parts = new NDList(y.get(0), y.get(1));
        NDArray cur = y.get(1);
        for (int j = 0; j < layer.intAttr("n"); j++) {
            cur = cib(layer, f, "m." + j + ".", cur);
            parts.add(cur);
        }
        return new NDList(f.conv("cv2", Ops.concat(parts)));
    }

    private static NDArray cib(Layer layer, LayerForward f, String p, NDArray x) {
        String q = p + "cv1.";
        NDArray y = f.conv(q + "1", f.conv(q + "0", x));
        y =
                layer.boolAttr("lk")
                        ? Ops.silu(f.conv(q + "2.conv", y).add(f.conv(q + "2.conv1", y)))
                        : f.conv(q + "2", y);
        y = f.conv(q + "4", f.conv(q + "3", y));
        boolean add =
                layer.boolAttr("shortcut") && layer.conv(q + "0").in() == layer.conv(q + "4").out();
        return add ? x.add(y) : y;
    }
}
