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
 * YOLOv10's {@code SCDown(c2, k, s)}: spatial-channel decoupled downsampling, a pointwise conv
 * {@code cv1} to c2 channels, then a strided depthwise conv {@code cv2} (BatchNorm, no activation).
 * The depthwise conv keeps cv1's channels, so the whole layer is one prunable space.
 */
public final class ScDownModule implements ModuleType {
    @Override
    public List<String> names() {
        return List.of("SCDown");
    }

    @Override
    public Layer define(LayerContext ctx) {
        int c2 = ctx.scaledWidth(ctx.intArg(0, ctx.c1()));
        int k = ctx.intArg(1, 3);
        int s = ctx.intArg(2, 2);
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        convs.put("cv1", ConvSpec.conv(ctx.c1(), c2, 1, 1));
        convs.put("cv2", ConvSpec.conv(c2, c2, k, s, null, c2, false));
        return new Layer(
                ctx.index(),
                ctx.from(),
                "SCDown",
                convs,
                Map.of(),
                ctx.inChannels(),
                c2,
                ctx.inStrides()[0] * s);
    }

    @Override
    public Wiring wiring(Layer layer) {
        return Wiring.of(layer).conv("cv1", Wiring.in(0)).conv("cv2", "cv1").output("cv2");
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        return new NDList(f.conv("cv2", f.conv("cv1", in.get(0))));
    }

    @Override
    public int[] outputSize(Layer layer, List<int[]> in) {
        ConvSpec c = layer.conv("cv2");
        return new int[] {c.outputSize(in.get(0)[0]), c.outputSize(in.get(0)[1])};
    }
}
