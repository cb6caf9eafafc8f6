package io.prunesweep.model.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.DetectionHead;
import io.prunesweep.model.Flops;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.TensorSpec;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import io.prunesweep.model.nn.SeededInitializer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * YOLOv5's (v6.x) anchor-based {@code Detect(nc, anchors)}, written in YAML as upstream does
 * ({@code Detect} with an anchors argument; the builder names the layer {@code AnchorDetect}). Per
 * level one plain 1x1 conv {@code m.i} to {@code na * (5 + nc)} maps: per anchor x, y, w, h,
 * objectness and the class logits. The anchors are a buffer {@code anchors [nl, na, 2]} in grid
 * units (pixels / stride), as upstream keeps them, so imported weights bring their own (possibly
 * AutoAnchor-evolved) anchors.
 *
 * <p>Training output: the raw maps {@code [B, na * (5 + nc), H, W]} per level. {@link #decode}:
 * upstream's inference ({@code xy = (2 sigmoid - 0.5 + cell) * stride}, {@code wh = (2 sigmoid)^2 *
 * anchor}) with the class scores multiplied by objectness, as YOLOv5's NMS does before
 * thresholding, so the engine's NMS and validation apply unchanged; columns are ordered level,
 * anchor, row, column as upstream's output.
 */
public final class AnchorDetectModule implements ModuleType, DetectionHead {
    public static final String NAME = "AnchorDetect";

    @Override
    public List<String> names() {
        return List.of(NAME);
    }

    @Override
    public Layer define(LayerContext ctx) {
        int nc = ctx.intArg(0, ctx.nc());
        int[] ch = ctx.inChannels();
        int[] strides = ctx.inStrides();
        Object a = ctx.arg(1);
        if (!(a instanceof List<?> levels)) {
            throw ctx.fail(
                    "anchors given as a count ("
                            + a
                            + ") need YOLOv5's AutoAnchor, which PruneSweep does not run;"
                            + " list them per level, e.g. anchors: [[10,13, 16,30, 33,23], [30,61, 62,45, 59,119], [116,90, 156,198, 373,326]]");
        }
        if (levels.size() != ch.length) {
            throw ctx.fail(
                    "anchors list "
                            + levels.size()
                            + " levels but the head reads "
                            + ch.length
                            + " layers");
        }
        List<List<Double>> anchors = new ArrayList<>();
        for (Object level : levels) {
            if (!(level instanceof List<?> values)
                    || values.isEmpty()
                    || values.size() % 2 != 0
                    || !values.stream()
                            .allMatch(v -> v instanceof Number n && n.doubleValue() > 0)) {
                throw ctx.fail("each anchors level must list positive w,h pairs, got " + level);
            }
            anchors.add(values.stream().map(v -> ((Number) v).doubleValue()).toList());
        }
        int na = anchors.get(0).size() / 2;
        if (anchors.stream().anyMatch(l -> l.size() != 2 * na)) {
            throw ctx.fail(
                    "every anchors level must have the same number of anchors, got " + anchors);
        }
        if (orderDisagrees(anchors, strides)) {
            anchors = reversed(anchors); // upstream check_anchor_order
        }
        int no = nc + 5;
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        for (int i = 0; i < ch.length; i++) {
            convs.put("m." + i, ConvSpec.plain(ch[i], na * no, 1, true));
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("nc", nc);
        attrs.put("na", na);
        attrs.put("anchors", anchors);
        List<Integer> st = new ArrayList<>();
        for (int s : strides) {
            st.add(s);
        }
        attrs.put("strides", st);
        return new Layer(
                ctx.index(),
                ctx.from(),
                NAME,
                convs,
                attrs,
                ch,
                na * no,
                strides[0],
                Map.of("anchors", TensorSpec.buffer(ch.length, na, 2)));
    }

    /** Mean anchor area must grow with the stride (YOLOv5's {@code check_anchor_order}). */
    private static boolean orderDisagrees(List<List<Double>> anchors, int[] strides) {
        double first = meanArea(anchors.get(0));
        double last = meanArea(anchors.get(anchors.size() - 1));
        double da = last - first;
        int ds = strides[strides.length - 1] - strides[0];
        return da != 0 && Math.signum(da) != Math.signum(ds);
    }

    private static double meanArea(List<Double> pairs) {
        double sum = 0;
        for (int k = 0; k < pairs.size(); k += 2) {
            sum += pairs.get(k) * pairs.get(k + 1);
        }
        return sum / (pairs.size() / 2);
    }

    private static List<List<Double>> reversed(List<List<Double>> anchors) {
        List<List<Double>> r = new ArrayList<>(anchors);
        java.util.Collections.reverse(r);
        return r;
    }

    /** The raw maps' widths are the output format; each level's input is prunable. */
    @Override
    public Wiring wiring(Layer layer) {
        Wiring w = Wiring.of(layer);
        for (int i = 0; i < layer.inChannels().length; i++) {
            w.conv("m." + i, Wiring.in(i));
        }
        return w.fixed("maps", layer.outChannels()).output("maps");
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        NDList out = new NDList(in.size());
        for (int i = 0; i < in.size(); i++) {
            out.add(f.conv("m." + i, in.get(i)));
        }
        return out;
    }

    @Override
    public double macs(Layer layer, List<int[]> in) {
        double total = 0;
        for (int i = 0; i < in.size(); i++) {
            total += Flops.convMacs(layer.conv("m." + i), in.get(i)[0], in.get(i)[1]);
        }
        return total;
    }

    /**
     * Anchors from the YAML (pixels) divided by the stride; output biases as upstream's {@code
     * _initialize_biases}: PyTorch's default plus log(8 / (640 / s)^2) on objectness (8 objects per
     * 640 image) and log(0.6 / (nc - 0.99999)) on the classes.
     */
    @Override
    public Initializer initializer(Layer layer, String name, long seed) {
        int[] strides = layer.intsAttr("strides");
        if (name.equals("anchors")) {
            float[] v = anchorGrid(layer, strides);
            return (m, shape, type) -> m.create(v, shape).toType(type, false);
        }
        if (!name.startsWith("m.") || !name.endsWith(".bias")) {
            return null;
        }
        int level = Integer.parseInt(name.split("\\.")[1]);
        ConvSpec c = layer.conv("m." + level);
        int nc = layer.intAttr("nc");
        int no = nc + 5;
        double obj = Math.log(8 / Math.pow(640.0 / strides[level], 2));
        double cls = Math.log(0.6 / (nc - 0.99999));
        Initializer base =
                SeededInitializer.uniform(seed, layer.prefix("m." + level) + "bias", c.in());
        return (m, shape, type) -> {
            float[] v;
            try (NDArray b = base.initialize(m, shape, type)) {
                v = b.toFloatArray();
            }
            for (int i = 0; i < v.length; i++) {
                int k = i % no;
                if (k == 4) {
                    v[i] = (float) (v[i] + obj);
                } else if (k >= 5) {
                    v[i] = (float) (v[i] + cls);
                }
            }
            return m.create(v, shape).toType(type, false);
        };
    }

    /**
     * The YAML anchors in grid units, {@code [nl, na, 2]} row-major, computed in float as upstream.
     */
    static float[] anchorGrid(Layer layer, int[] strides) {
        List<?> levels = (List<?>) layer.attrs().get("anchors");
        int na = layer.intAttr("na");
        float[] v = new float[levels.size() * na * 2];
        for (int l = 0; l < levels.size(); l++) {
            List<?> pairs = (List<?>) levels.get(l);
            for (int k = 0; k < 2 * na; k++) {
                v[l * 2 * na + k] = ((Number) pairs.get(k)).floatValue() / (float) strides[l];
            }
        }
        return v;
    }

    @Override
    public NDArray decode(Layer head, NDList raw, Function<String, NDArray> tensor) {
        int nc = head.intAttr("nc");
        int na = head.intAttr("na");
        int no = nc + 5;
        int[] strides = head.intsAttr("strides");
        float[] anchors = tensor.apply("anchors").toFloatArray(); // [nl, na, 2] grid units
        NDManager m = raw.get(0).getManager();
        long batch = raw.get(0).getShape().get(0);
        NDList levels = new NDList(raw.size());
        for (int l = 0; l < raw.size(); l++) {
            NDArray x = raw.get(l);
            int h = (int) x.getShape().get(2);
            int w = (int) x.getShape().get(3);
            float s = strides[l];
            NDList p =
                    x.reshape(batch, na, no, (long) h * w)
                            .getNDArrayInternal()
                            .sigmoid()
                            .split(new long[] {2, 4, 5}, 2);
            NDArray xy =
                    p.get(0)
                            .mul(2f)
                            .add(m.create(cellOffsets(h, w), new Shape(1, 1, 2, (long) h * w)))
                            .mul(s);
            float[] px = new float[na * 2];
            for (int k = 0; k < px.length; k++) {
                px[k] = anchors[l * na * 2 + k] * s;
            }
            NDArray wh = p.get(1).mul(2f).square().mul(m.create(px, new Shape(1, na, 2, 1)));
            NDArray cls = p.get(3).mul(p.get(2));
            levels.add(
                    NDArrays.concat(new NDList(xy, wh, cls), 2)
                            .transpose(0, 2, 1, 3)
                            .reshape(batch, 4 + nc, (long) na * h * w));
        }
        return levels.size() == 1 ? levels.get(0) : NDArrays.concat(levels, 2);
    }

    /**
     * Cell x - 0.5 then cell y - 0.5 (upstream's {@code grid}), row-major, as {@code [2, h * w]}.
     */
    public static float[] cellOffsets(int h, int w) {
        float[] g = new float[2 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                g[y * w + x] = x - 0.5f;
                g[h * w + y * w + x] = y - 0.5f;
            }
        }
        return g;
    }

    @Override
    public long outputColumns(Layer head, long h, long w) {
        return head.intAttr("na") * DetectionHead.cells(head, h, w);
    }
}
