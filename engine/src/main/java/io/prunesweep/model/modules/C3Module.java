package io.prunesweep.model.modules;

import ai.djl.ndarray.NDList;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code C3(c2, n, shortcut=True, g=1, e=0.5)} (YOLOv5) and {@code C3k(c2, n, shortcut=True, g=1,
 * e=0.5, k=3)}.
 */
public final class C3Module implements ModuleType {
    private final boolean c3k;

    public C3Module(boolean c3k) {
        this.c3k = c3k;
    }

    @Override
    public List<String> names() {
        return List.of(c3k ? "C3k" : "C3");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c2 = ctx.scaledWidth(ctx.intArg(0, ctx.c1()));
        boolean shortcut = ctx.boolArg(1, true);
        double e = ctx.doubleArg(3, 0.5);
        int k = c3k ? ctx.intArg(4, 3) : 3;
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        Bottlenecks.defineC3(convs, "", ctx.c1(), c2, ctx.repeats(), e, c3k ? k : 1, c3k ? k : 3);
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("n", ctx.repeats());
        attrs.put("shortcut", shortcut);
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
        Wiring w = Wiring.of(layer);
        return w.output(
                Bottlenecks.wireC3(w, layer.convs(), "", Wiring.in(0), layer.boolAttr("shortcut")));
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        return new NDList(
                Bottlenecks.forwardC3(f, layer.convs(), "", in.get(0), layer.boolAttr("shortcut")));
    }
}
