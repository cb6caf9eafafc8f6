package io.prunesweep.model.modules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.DetectionHead;
import io.prunesweep.model.Flops;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModuleRegistry;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import io.prunesweep.model.nn.Ops;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The anchor-free {@code Detect(nc)} head with DFL ({@code reg_max} 16). Per level: a box branch
 * {@code cv2.i} (two 3x3 convs, then a 1x1 conv to 4*reg_max) and a class branch {@code cv3.i}:
 * YOLOv8/YOLOv5u use two 3x3 convs ({@code legacy}), YOLO11 depthwise 3x3 + 1x1 pairs. Training
 * output: raw maps per level {@code [B, 4*reg_max + nc, H, W]}; {@link #decode} turns them into
 * {@code [B, 4 + nc, anchors]} (xywh in input pixels, sigmoid class scores).
 */
public final class DetectModule implements ModuleType, DetectionHead {
    public static final int REG_MAX = 16;

    /**
     * The model flag C3k2 clears: the class branch is two 3x3 convs (YOLOv8/v5u) rather than
     * depthwise pairs.
     */
    public static final String LEGACY = "legacy";

    @Override
    public List<String> names() {
        return List.of("Detect");
    }

    /**
     * YOLOv5's {@code Detect(nc, anchors)} is the anchor-based head, told apart by its anchors
     * argument.
     */
    @Override
    public ModuleType resolve(List<Object> args, ModuleRegistry modules) {
        boolean anchors =
                args.size() > 1 && (args.get(1) instanceof List || args.get(1) instanceof Number);
        return anchors ? modules.get(AnchorDetectModule.NAME) : this;
    }

    /**
     * The second argument, legacy, is the model's flag (true unless a C3k2 cleared it), as in
     * parse_model.
     */
    @Override
    public void completeArgs(List<Object> args, Map<String, Object> modelFlags) {
        while (args.size() < 2) {
            args.add(null);
        }
        if (args.get(1) == null) {
            args.set(1, modelFlags.getOrDefault(LEGACY, true));
        }
    }

    @Override
    public Layer define(LayerContext ctx) {
        int nc = ctx.intArg(0, ctx.nc());
        boolean legacy = ctx.boolArg(1, true);
        int[] ch = ctx.inChannels();
        int c2 = Math.max(Math.max(16, ch[0] / 4), REG_MAX * 4);
        int c3 = Math.max(ch[0], Math.min(nc, 100));
        Map<String, ConvSpec> convs = new LinkedHashMap<>();
        for (int i = 0; i < ch.length; i++) {
            convs.put("cv2." + i + ".0", ConvSpec.conv(ch[i], c2, 3, 1));
            convs.put("cv2." + i + ".1", ConvSpec.conv(c2, c2, 3, 1));
            convs.put("cv2." + i + ".2", ConvSpec.plain(c2, 4 * REG_MAX, 1, true));
        }
        for (int i = 0; i < ch.length; i++) {
            if (legacy) {
                convs.put("cv3." + i + ".0", ConvSpec.conv(ch[i], c3, 3, 1));
                convs.put("cv3." + i + ".1", ConvSpec.conv(c3, c3, 3, 1));
            } else {
                convs.put(
                        "cv3." + i + ".0.0", ConvSpec.conv(ch[i], ch[i], 3, 1, null, ch[i], true));
                convs.put("cv3." + i + ".0.1", ConvSpec.conv(ch[i], c3, 1, 1));
                convs.put("cv3." + i + ".1.0", ConvSpec.conv(c3, c3, 3, 1, null, c3, true));
                convs.put("cv3." + i + ".1.1", ConvSpec.conv(c3, c3, 1, 1));
            }
            convs.put("cv3." + i + ".2", ConvSpec.plain(c3, nc, 1, true));
        }
        convs.put("dfl.conv", new ConvSpec(REG_MAX, 1, 1, 1, 0, 1, 1, false, false, false, false));
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("nc", nc);
        attrs.put("reg_max", REG_MAX);
        attrs.put("legacy", legacy);
        List<Integer> strides = new ArrayList<>();
        for (int s : ctx.inStrides()) {
            strides.add(s);
        }
        attrs.put("strides", strides);
        return new Layer(
                ctx.index(),
                ctx.from(),
                "Detect",
                convs,
                attrs,
                ch,
                4 * REG_MAX + nc,
                ctx.inStrides()[0]);
    }

    /**
     * Both branches' hidden convs are prunable; the plain output convs (box 4*reg_max, class nc)
     * and the fixed DFL projection are not (they have no BatchNorm, and their widths are the output
     * format).
     */
    @Override
    public Wiring wiring(Layer layer) {
        Wiring w = Wiring.of(layer);
        boolean legacy = layer.boolAttr("legacy");
        for (int i = 0; i < levels(layer); i++) {
            String b = "cv2." + i + ".";
            w.conv(b + "0", Wiring.in(i)).conv(b + "1", b + "0").conv(b + "2", b + "1");
            String c = "cv3." + i + ".";
            if (legacy) {
                w.conv(c + "0", Wiring.in(i)).conv(c + "1", c + "0").conv(c + "2", c + "1");
            } else {
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

    /** Number of detection levels (P3, P4, P5 = 3). */
    public static int levels(Layer layer) {
        return layer.inChannels().length;
    }

    private static String clsPrefix(Layer layer, int i, int stage) {
        return "cv3." + i + "." + stage + (layer.boolAttr("legacy") ? "" : ".1");
    }

    @Override
    public NDList forward(Layer layer, LayerForward f, NDList in) {
        boolean legacy = layer.boolAttr("legacy");
        NDList out = new NDList();
        for (int i = 0; i < in.size(); i++) {
            NDArray x = in.get(i);
            NDArray box =
                    f.conv(
                            "cv2." + i + ".2",
                            f.conv("cv2." + i + ".1", f.conv("cv2." + i + ".0", x)));
            NDArray cls = x;
            for (int stage = 0; stage < 2; stage++) {
                if (!legacy) {
                    cls = f.conv("cv3." + i + "." + stage + ".0", cls);
                }
                cls = f.conv(clsPrefix(layer, i, stage), cls);
            }
            cls = f.conv("cv3." + i + ".2", cls);
            out.add(Ops.concat(box, cls));
        }
        return out;
    }

    @Override
    public NDArray decode(
            Layer head, NDList raw, java.util.function.Function<String, NDArray> tensor) {
        return decode(head, raw, tensor.apply("dfl.conv.weight"));
    }

    @Override
    public long outputColumns(Layer head, long h, long w) {
        return DetectionHead.cells(head, h, w);
    }

    /**
     * Inference decoding as ultralytics: DFL expectation over {@code reg_max} bins, distances to
     * boxes around cell centres, times stride; class logits to probabilities. Returns {@code [B, 4
     * + nc, anchors]}.
     */
    public static NDArray decode(Layer layer, NDList raw, NDArray dflWeight) {
        int nc = layer.intAttr("nc");
        int reg = layer.intAttr("reg_max");
        int[] strides = layer.intsAttr("strides");
        long batch = raw.get(0).getShape().get(0);
        int no = 4 * reg + nc;
        NDList flat = new NDList();
        int anchors = 0;
        for (NDArray x : raw) {
            flat.add(x.reshape(batch, no, -1));
            anchors += (int) (x.getShape().get(2) * x.getShape().get(3));
        }
        NDArray cat = NDArrays.concat(flat, 2);
        NDList boxCls = cat.split(new long[] {4L * reg}, 1);
        NDArray dist =
                boxCls.get(0)
                        .reshape(batch, 4, reg, anchors)
                        .softmax(2)
                        .mul(dflWeight.reshape(1, 1, reg, 1))
                        .sum(new int[] {2});
        NDManager m = cat.getManager();
        float[][] grid = anchorGrid(raw, strides);
        NDArray points = m.create(grid[0], new Shape(2, anchors));
        NDArray stride = m.create(grid[1], new Shape(1, anchors));
        NDList ltrb = dist.split(new long[] {2}, 1);
        NDArray x1y1 = points.sub(ltrb.get(0));
        NDArray x2y2 = points.add(ltrb.get(1));
        NDArray xy = x1y1.add(x2y2).div(2f);
        NDArray wh = x2y2.sub(x1y1);
        NDArray boxes = NDArrays.concat(new NDList(xy, wh), 1).mul(stride);
        return NDArrays.concat(new NDList(boxes, boxCls.get(1).getNDArrayInternal().sigmoid()), 1);
    }

    /**
     * Cell centres (grid units, row-major per level) as {@code [2 * A]} (x row then y row) and
     * strides {@code [A]}.
     */
    public static float[][] anchorGrid(NDList raw, int[] strides) {
        List<int[]> sizes = new ArrayList<>();
        for (NDArray x : raw) {
            sizes.add(new int[] {(int) x.getShape().get(2), (int) x.getShape().get(3)});
        }
        return anchorGrid(sizes, strides);
    }

    /**
     * The same from the levels' {@code [h, w]} (the ONNX export builds the grid as a constant from
     * these).
     */
    public static float[][] anchorGrid(List<int[]> levelSizes, int[] strides) {
        int total = 0;
        for (int[] hw : levelSizes) {
            total += hw[0] * hw[1];
        }
        float[] pts = new float[2 * total];
        float[] st = new float[total];
        int a = 0;
        for (int l = 0; l < levelSizes.size(); l++) {
            int h = levelSizes.get(l)[0];
            int w = levelSizes.get(l)[1];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++, a++) {
                    pts[a] = x + 0.5f;
                    pts[total + a] = y + 0.5f;
                    st[a] = strides[l];
                }
            }
        }
        return new float[][] {pts, st};
    }

    @Override
    public Float initialBias(Layer layer, String convPath) {
        // ultralytics Detect.bias_init: box logits 1.0; class logits log(5 / nc / (640 / s)^2)
        // (~0.01 objects per cell)
        if (!convPath.endsWith(".2")) {
            return null;
        }
        int level = Integer.parseInt(convPath.split("\\.")[1]);
        if (convPath.startsWith("cv2.")) {
            return 1.0f;
        }
        int s = layer.intsAttr("strides")[level];
        int nc = layer.intAttr("nc");
        return (float) Math.log(5.0 / nc / Math.pow(640.0 / s, 2));
    }

    @Override
    public double macs(Layer layer, List<int[]> in) {
        double total = 0;
        for (Map.Entry<String, ConvSpec> e : layer.convs().entrySet()) {
            if (e.getKey().startsWith("dfl")) {
                continue; // not run in training-mode profiling (as ultralytics)
            }
            int level = Integer.parseInt(e.getKey().split("\\.")[1]);
            total += Flops.convMacs(e.getValue(), in.get(level)[0], in.get(level)[1]);
        }
        return total;
    }
}
