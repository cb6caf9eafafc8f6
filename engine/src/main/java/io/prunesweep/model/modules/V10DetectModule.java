package io.prunesweep.model.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.DetectionHead;
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
import java.util.function.Function;

/**
 * YOLOv10's {@code v10Detect(nc)}: the anchor-free Detect head (DFL box branch {@code cv2},
 * depthwise class branch {@code cv3}) twice: the one-to-many head trained with top-10 assignment,
 * and a one-to-one copy ({@code one2one_cv2}, {@code one2one_cv3}) trained with top-1 assignment on
 * detached features.
 *
 * <p>Forward: in training the one-to-many maps of every level, then the one-to-one maps, each
 * {@code [B, 4*reg_max + nc, H, W]}; in inference the one-to-one maps only. {@link #decode}:
 * NMS-free inference as ultralytics' {@code postprocess}: the one-to-one head decoded like Detect,
 * the {@code max_det} anchors with the best class score, then the best {@code max_det} (anchor,
 * class) pairs among them. Column j of the output {@code [B, 4 + nc, max_det]} is one detection:
 * its box and, in the class rows, its score at its class and 0 elsewhere (so the engine's NMS input
 * format still holds; validation keeps every box, see {@link #nmsFree}).
 */
public final class V10DetectModule implements ModuleType, DetectionHead {
    public static final String NAME = "v10Detect";
    public static final String ONE2ONE = "one2one_";

    /** Detections kept per image (ultralytics' {@code max_det}). */
    public static final int MAX_DET = 300;

    private static final DetectModule DETECT = new DetectModule();

    @Override
    public List<String> names() {
        return List.of(NAME);
    }

    @Override
    public Layer define(LayerContext ctx) {
        List<Object> args =
                new ArrayList<>(List.of(ctx.intArg(0, ctx.nc()), false)); // depthwise class branch
        Layer base =
                DETECT.define(
                        new LayerContext(
                                ctx.index(),
                                ctx.from(),
                                ctx.repeats(),
                                args,
                                ctx.inChannels(),
                                ctx.inStrides(),
                                ctx.scale(),
                                ctx.scaleName(),
                                ctx.nc(),
                                ctx.source()));
        Map<String, ConvSpec> convs = new LinkedHashMap<>(base.convs());
        base.convs()
                .forEach(
                        (k, c) -> {
                            if (k.startsWith("cv2.") || k.startsWith("cv3.")) {
                                convs.put(ONE2ONE + k, c);
                            }
                        });
        Map<String, Object> attrs = new LinkedHashMap<>(base.attrs());
        attrs.put("max_det", MAX_DET);
        return new Layer(
                ctx.index(),
                ctx.from(),
                NAME,
                convs,
                attrs,
                ctx.inChannels(),
                base.outChannels(),
                base.stride());
    }

    /**
     * Both heads' hidden convs read the level input (one space per level); their output convs and
     * the maps are fixed.
     */
    @Override
    public Wiring wiring(Layer layer) {
        Wiring w = Wiring.of(layer);
        for (String h : new String[] {"", ONE2ONE}) {
            for (int i = 0; i < DetectModule.levels(layer); i++) {
                String b = h + "cv2." + i + ".";
                w.conv(b + "0", Wiring.in(i)).conv(b + "1", b + "0").conv(b + "2", b + "1");
                String c = h + "cv3." + i + ".";
                w.conv(c + "0.0", Wiring.in(i))
                        .conv(c + "0.1", c + "0.0")
                        .conv(c + "1.0", c + "0.1")
                        .conv(c + "1.1", c + "1.0")
                        .conv(c + "2", c + "1.1");
            }
        }
        return w.fixed("dfl.bins", layer.intAttr("reg_max"))
                .conv("dfl.conv", "dfl.bins")
                .fixed("maps", layer.outChannels())
                .output("maps");
    }

    /**
     * Training: the one-to-many maps, then the one-to-one maps (what the dual loss reads).
     * Inference: the one-to-one maps only, since nothing reads the other head then (ultralytics
     * computes both; skipping it saves a third of v10n's head).
     */
    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        NDList out = new NDList(2 * in.size());
        if (f.training()) {
            for (int i = 0; i < in.size(); i++) {
                out.add(level(f, "", i, in.get(i)));
            }
        }
        for (int i = 0; i < in.size(); i++) {
            // ultralytics feeds the one-to-one head detached features: its loss trains only its own
            // branch
            NDArray x = f.training() ? in.get(i).stopGradient() : in.get(i);
            out.add(level(f, ONE2ONE, i, x));
        }
        return out;
    }

    /** cat(box branch, depthwise class branch) of one level of the head {@code h}. */
    private static NDArray level(LayerForward f, String h, int i, NDArray x) {
        String b = h + "cv2." + i + ".";
        NDArray box = f.conv(b + "2", f.conv(b + "1", f.conv(b + "0", x)));
        String c = h + "cv3." + i + ".";
        NDArray cls = f.conv(c + "1.1", f.conv(c + "1.0", f.conv(c + "0.1", f.conv(c + "0.0", x))));
        return Ops.concat(box, f.conv(c + "2", cls));
    }

    /**
     * The one-to-one maps: the last {@code levels} maps of a training or inference forward output.
     */
    public static NDList oneToOne(Layer head, NDList raw) {
        int levels = DetectModule.levels(head);
        NDList o = new NDList(levels);
        for (int i = raw.size() - levels; i < raw.size(); i++) {
            o.add(raw.get(i));
        }
        return o;
    }

    @Override
    public NDArray decode(Layer head, NDList raw, Function<String, NDArray> tensor) {
        return topK(
                decodeBeforeSelection(head, raw, tensor),
                head.intAttr("nc"),
                head.intAttr("max_det"));
    }

    /** The one-to-one head decoded like Detect, {@code [B, 4 + nc, A]}. */
    @Override
    public NDArray decodeBeforeSelection(Layer head, NDList raw, Function<String, NDArray> tensor) {
        return DetectModule.decode(head, oneToOne(head, raw), tensor.apply("dfl.conv.weight"));
    }

    /**
     * ultralytics' {@code v10Detect.postprocess} on {@code [B, 4 + nc, A]}: top-k anchors by best
     * class score, then the top-k (anchor, class) pairs among them (anchor-major flattening, as
     * upstream), k = min(maxDet, A); each pair becomes a column with its box and a one-hot score.
     */
    static NDArray topK(NDArray dense, int nc, int maxDet) {
        long batch = dense.getShape().get(0);
        int anchors = (int) dense.getShape().get(2);
        int k = Math.min(maxDet, anchors);
        NDList boxScores = dense.split(new long[] {4}, 1);
        NDArray boxes = boxScores.get(0); // [B, 4, A]
        NDArray scores = boxScores.get(1); // [B, nc, A]
        NDArray best =
                scores.max(new int[] {1}).topK(k, 1, true, true).get(1); // anchor indices [B, k]
        NDArray idx = best.expandDims(1);
        NDArray topBoxes = boxes.gather(idx.broadcast(batch, 4, k), 2);
        NDArray topScores = scores.gather(idx.broadcast(batch, nc, k), 2); // [B, nc, k]
        NDList pairs =
                topScores.transpose(0, 2, 1).reshape(batch, (long) k * nc).topK(k, 1, true, true);
        NDArray value = pairs.get(0); // [B, k]
        NDArray flat = pairs.get(1);
        // flat // nc and flat % nc (k * nc < 2^24, exact in float)
        NDArray anchor =
                flat.toType(DataType.FLOAT32, false)
                        .div((float) nc)
                        .floor()
                        .toType(DataType.INT64, false);
        NDArray cls = flat.sub(anchor.mul(nc));
        NDArray box = topBoxes.gather(anchor.expandDims(1).broadcast(batch, 4, k), 2);
        NDManager m = dense.getManager();
        NDArray classes = m.arange(0, nc, 1, DataType.INT64).reshape(1, nc, 1);
        NDArray oneHot =
                classes.eq(cls.expandDims(1))
                        .toType(DataType.FLOAT32, false)
                        .mul(value.expandDims(1));
        return NDArrays.concat(new NDList(box, oneHot), 1);
    }

    @Override
    public long outputColumns(Layer head, long h, long w) {
        return Math.min(head.intAttr("max_det"), DetectionHead.cells(head, h, w));
    }

    @Override
    public boolean nmsFree() {
        return true;
    }

    /**
     * As Detect's bias init, for both heads (ultralytics initialises the one-to-one copies the same
     * way).
     */
    @Override
    public Float initialBias(Layer layer, String convPath) {
        return DETECT.initialBias(
                layer,
                convPath.startsWith(ONE2ONE) ? convPath.substring(ONE2ONE.length()) : convPath);
    }

    @Override
    public double macs(Layer layer, List<int[]> in) {
        return DETECT.macs(layer, in);
    }
}
