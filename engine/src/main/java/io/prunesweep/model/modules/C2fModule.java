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
 * {@code C2f(c2, n, shortcut=False, g=1, e=0.5)} and YOLO11's {@code C3k2(c2, n, c3k=False, e=0.5,
 * g=1, shortcut=True)}: {@code cv1} output is split in two parts ({@code split} attr; halves when
 * unpruned), the second part runs through {@code n} blocks, and all parts are concatenated into
 * {@code cv2}.
 */
public final class C2fModule implements ModuleType {
    private final boolean c3k2;

    public C2fModule(boolean c3k2) {
        this.c3k2 = c3k2;
    }

    @Override
    public List<String> names() {
        return List.of(c3k2 ? "C3k2" : "C2f");
    }

    /**
     * A C3k2 anywhere makes the model a YOLO11: its Detect head takes the depthwise class branch.
     */
    @Override
    public Map<String, Object> modelFlags() {
        return c3k2 ? Map.of(DetectModule.LEGACY, false) : Map.of();
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c2 = ctx.scaledWidth(ctx.intArg(0, ctx.c1()));
        int n = ctx.repeats();
        boolean shortcut;
        double e;
        boolean c3k = false;
        if (c3k2) {
            c3k =
                    ctx.boolArg(1, false)
                            || "mlx".contains(ctx.scaleName()) && !ctx.scaleName().isEmpty();
            e = ctx.doubleArg(2, 0.5);
            shortcut = ctx.boolArg(4, true);
        } else {
            shortcut = ctx.boolArg(1, false);
            e = ctx.doubleArg(3, 0.5);
        }
        int c = (int) (c2 * e);
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        convs.put("cv1", ConvSpec.conv(ctx.c1(), 2 * c, 1, 1));
        convs.put("cv2", ConvSpec.conv((2 + n) * c, c2, 1, 1));
        for (int j = 0; j < n; j++) {
            String p = "m." + j + ".";
            if (c3k) {
                Bottlenecks.defineC3(convs, p, c, c, 2, 0.5, 3, 3);
            } else if (c3k2) {
                Bottlenecks.define(convs, p, c, c, 3, 3, 0.5);
            } else {
                Bottlenecks.define(convs, p, c, c, 3, 3, 1.0);
            }
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("n", n);
        attrs.put("shortcut", shortcut);
        attrs.put("c3k", c3k);
        attrs.put("split", List.of(c, c));
        return new Layer(
                ctx.index(),
                ctx.from(),
                names().get(0),
                convs,
                attrs,
                ctx.inChannels(),
                c2,
                ctx.inStrides()[0]);
    }

    @Override
    public Wiring wiring(Layer layer) {
        // cv1's halves are separate spaces (the split attr records their widths); parity keeps them
        // equal on request
        Wiring w =
                Wiring.of(layer)
                        .splitConv("cv1", "split", Wiring.in(0))
                        .sameWidth("cv1[0]", "cv1[1]");
        boolean shortcut = layer.boolAttr("shortcut");
        boolean c3k = layer.boolAttr("c3k");
        List<String> parts = new ArrayList<>(List.of("cv1[0]", "cv1[1]"));
        String cur = "cv1[1]";
        int n = Bottlenecks.count(layer.convs(), "m.");
        for (int j = 0; j < n; j++) {
            String p = "m." + j + ".";
            cur =
                    c3k
                            ? Bottlenecks.wireC3(w, layer.convs(), p, cur, shortcut)
                            : Bottlenecks.wire(w, layer.convs(), p, cur, shortcut);
            parts.add(cur);
        }
        return w.conv("cv2", parts.toArray(String[]::new)).output("cv2");
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        int[] split = layer.intsAttr("split");
        boolean shortcut = layer.boolAttr("shortcut");
        boolean c3k = layer.boolAttr("c3k");
        NDList y = Ops.splitChannels(f.conv("cv1", in.get(0)), split);
        NDList parts = new NDList(y.get(0), y.get(1));
        NDArray cur = y.get(1);
        int n = Bottlenecks.count(layer.convs(), "m.");
        for (int j = 0; j < n; j++) {
            String p = "m." + j + ".";
            cur =
                    c3k
                            ? Bottlenecks.forwardC3(f, layer.convs(), p, cur, shortcut)
                            : Bottlenecks.forward(f, layer.convs(), p, cur, shortcut);
            parts.add(cur);
        }
        return new NDList(f.conv("cv2", Ops.concat(parts)));
    }
}
