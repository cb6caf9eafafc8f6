package io.prunesweep.model.modules;

import ai.djl.ndarray.NDList;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import io.prunesweep.model.nn.Ops;
import java.util.List;
import java.util.Map;

/** {@code nn.Upsample(None, 2, "nearest")}. */
public final class UpsampleModule implements ModuleType {
    @Override
    public List<String> names() {
        return List.of("nn.Upsample", "Upsample");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int scale = ctx.intArg(1, 2);
        Object mode = ctx.arg(2);
        if (mode != null && !"nearest".equals(mode)) {
            throw ctx.fail("Upsample supports mode 'nearest' only, got '" + mode + "'");
        }
        if (ctx.inStrides()[0] % scale != 0) {
            throw ctx.fail("Upsample by " + scale + " below stride 1");
        }
        return new Layer(
                ctx.index(),
                ctx.from(),
                "Upsample",
                Map.of(),
                Map.of("scale", scale),
                ctx.inChannels(),
                ctx.c1(),
                ctx.inStrides()[0] / scale);
    }

    @Override
    public Wiring wiring(Layer layer) {
        return Wiring.of(layer).output(Wiring.in(0));
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        return new NDList(Ops.upsampleNearest(in.get(0), layer.intAttr("scale")));
    }

    @Override
    public int[] outputSize(Layer layer, List<int[]> in) {
        int s = layer.intAttr("scale");
        return new int[] {in.get(0)[0] * s, in.get(0)[1] * s};
    }

    @Override
    public double macs(Layer layer, List<int[]> in) {
        int s = layer.intAttr("scale");
        // thop counts one op per output element of a nearest upsample
        return (double) in.get(0)[0] * s * in.get(0)[1] * s * layer.outChannels();
    }
}
