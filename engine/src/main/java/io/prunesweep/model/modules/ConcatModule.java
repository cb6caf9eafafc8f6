package io.prunesweep.model.modules;

import ai.djl.ndarray.NDList;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import io.prunesweep.model.nn.Ops;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** {@code Concat(1)}: channel concatenation of its inputs. */
public final class ConcatModule implements ModuleType {
    @Override
    public List<String> names() {
        return List.of("Concat");
    }

    @Override
    public Layer define(LayerContext ctx) {
        if (ctx.intArg(0, 1) != 1) {
            throw ctx.fail("Concat supports only dimension 1 (channels)");
        }
        int[] s = ctx.inStrides();
        for (int v : s) {
            if (v != s[0]) {
                throw ctx.fail(
                        "Concat inputs "
                                + Arrays.toString(ctx.from())
                                + " have different strides "
                                + Arrays.toString(s));
            }
        }
        int c2 = Arrays.stream(ctx.inChannels()).sum();
        return new Layer(
                ctx.index(),
                ctx.from(),
                "Concat",
                Map.of(),
                Map.of("dim", 1),
                ctx.inChannels(),
                c2,
                s[0]);
    }

    @Override
    public Wiring wiring(Layer layer) {
        String[] ins = new String[layer.from().length];
        for (int i = 0; i < ins.length; i++) {
            ins[i] = Wiring.in(i);
        }
        return Wiring.of(layer).output(ins);
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        return new NDList(Ops.concat(in));
    }
}
