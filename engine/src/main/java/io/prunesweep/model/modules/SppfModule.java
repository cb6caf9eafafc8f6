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

/** {@code SPPF(c2, k=5)}: cv1, three chained max-pools, concat of all four, cv2. */
public final class SppfModule implements ModuleType {
    @Override
    public List<String> names() {
        return List.of("SPPF");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c2 = ctx.scaledWidth(ctx.intArg(0, ctx.c1()));
        int k = ctx.intArg(1, 5);
        int c = ctx.c1() / 2;
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        convs.put("cv1", ConvSpec.conv(ctx.c1(), c, 1, 1));
        convs.put("cv2", ConvSpec.conv(c * 4, c2, 1, 1));
        return new Layer(
                ctx.index(),
                ctx.from(),
                "SPPF",
                convs,
                Map.of("k", k),
                ctx.inChannels(),
                c2,
                ctx.inStrides()[0]);
    }

    @Override
    public Wiring wiring(Layer layer) {
        // max-pooling keeps channels: cv2 reads cv1's channels four times
        return Wiring.of(layer)
                .conv("cv1", Wiring.in(0))
                .conv("cv2", "cv1", "cv1", "cv1", "cv1")
                .output("cv2");
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        int k = layer.intAttr("k");
        NDArray y0 = f.conv("cv1", in.get(0));
        NDArray y1 = Ops.maxPool(y0, k);
        NDArray y2 = Ops.maxPool(y1, k);
        NDArray y3 = Ops.maxPool(y2, k);
        return new NDList(f.conv("cv2", Ops.concat(y0, y1, y2, y3)));
    }
}
