package io.prunesweep.model.modules;

import ai.djl.ndarray.NDList;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import java.util.List;
import java.util.Map;

/** {@code Conv(c2, k=1, s=1, p=autopad, g=1, d=1, act=True)} and {@code DWConv(c2, k, s)}. */
public final class ConvModule implements ModuleType {
    private final boolean depthwise;

    public ConvModule(boolean depthwise) {
        this.depthwise = depthwise;
    }

    @Override
    public List<String> names() {
        return depthwise ? List.of("DWConv") : List.of("Conv");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c2 = ctx.scaledWidth(ctx.intArg(0, ctx.c1()));
        int k = ctx.intArg(1, 1);
        int s = ctx.intArg(2, 1);
        ConvSpec spec;
        if (depthwise) {
            spec = ConvSpec.conv(ctx.c1(), c2, k, s, null, gcd(ctx.c1(), c2), ctx.boolArg(3, true));
        } else {
            spec =
                    ConvSpec.conv(
                            ctx.c1(),
                            c2,
                            k,
                            s,
                            ctx.optIntArg(3),
                            ctx.intArg(4, 1),
                            ctx.boolArg(6, true));
        }
        return new Layer(
                ctx.index(),
                ctx.from(),
                names().get(0),
                Map.of("", spec),
                Map.of(),
                ctx.inChannels(),
                c2,
                ctx.inStrides()[0] * s);
    }

    @Override
    public Wiring wiring(Layer layer) {
        return Wiring.of(layer).conv("", Wiring.in(0)).output("");
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList inputs) {
        return new NDList(f.conv("", inputs.get(0)));
    }

    @Override
    public int[] outputSize(Layer layer, List<int[]> in) {
        ConvSpec c = layer.conv("");
        return new int[] {c.outputSize(in.get(0)[0]), c.outputSize(in.get(0)[1])};
    }

    static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
