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

/** {@code Bottleneck(c2, shortcut=True, g=1, k=(3,3), e=0.5)} used directly as a layer. */
public final class BottleneckModule implements ModuleType {
    @Override
    public List<String> names() {
        return List.of("Bottleneck");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c2 = ctx.scaledWidth(ctx.intArg(0, ctx.c1()));
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        Bottlenecks.define(convs, "", ctx.c1(), c2, 3, 3, ctx.doubleArg(4, 0.5));
        Map<String, Object> attrs = Map.of("shortcut", ctx.boolArg(1, true));
        return new Layer(
                ctx.index(),
                ctx.from(),
                "Bottleneck",
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
                Bottlenecks.wire(w, layer.convs(), "", Wiring.in(0), layer.boolAttr("shortcut")));
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        return new NDList(
                Bottlenecks.forward(f, layer.convs(), "", in.get(0), layer.boolAttr("shortcut")));
    }
}
