package io.prunesweep.io.onnx;

import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.Layer;
import java.util.List;

/**
 * The Detect head's inference decoding in ONNX, op for op as {@code DetectModule.decode}: raw maps
 * flattened and concatenated to {@code [B, 4*reg_max + nc, A]}, split into box and class logits;
 * box logits as {@code [B, 4, reg_max, A]}, softmax over the bins, expectation with the DFL
 * weights; ltrb distances around the anchor centres to xywh, times the stride; sigmoid class
 * scores. Anchor centres and strides are constants for the export's fixed image size.
 */
final class DetectDecode {
    private DetectDecode() {}

    static String emit(
            OnnxGraphBuilder g,
            Layer head,
            List<String> raw,
            List<int[]> levelSizes,
            Tensor dflWeight) {
        int nc = head.intAttr("nc");
        int reg = head.intAttr("reg_max");
        int[] strides = head.intsAttr("strides");
        int no = 4 * reg + nc;
        if (raw.size() != levelSizes.size() || raw.size() != strides.length) {
            throw new IllegalStateException(
                    "head layer "
                            + head.index()
                            + " returned "
                            + raw.size()
                            + " maps for "
                            + strides.length
                            + " strides");
        }
        if (dflWeight == null || dflWeight.data().length != reg) {
            throw new IllegalStateException(
                    "head layer " + head.index() + " has no DFL weight of " + reg + " bins");
        }
        String[] flat = new String[raw.size()];
        int anchors = 0;
        for (int i = 0; i < flat.length; i++) {
            flat[i] = g.reshape(raw.get(i), 0, no, -1);
            anchors += levelSizes.get(i)[0] * levelSizes.get(i)[1];
        }
        String cat = flat.length == 1 ? flat[0] : g.concat(2, flat);
        String[] boxCls = g.split(cat, 1, 4L * reg, nc);

        String bins = g.softmax(g.reshape(boxCls[0], 0, 4, reg, anchors), 2);
        String proj =
                g.initializer(
                        head.prefix("dfl.conv") + "weight", dflWeight.data().clone(), 1, 1, reg, 1);
        String axes = g.initializer("dfl_sum_axes", new long[] {2}, 1);
        String dist =
                g.op(
                        "ReduceSum",
                        List.of(g.mul(bins, proj), axes),
                        OnnxAttribute.ofInt("keepdims", 0));

        float[][] grid = io.prunesweep.model.modules.DetectModule.anchorGrid(levelSizes, strides);
        String points = g.initializer("anchor_points", grid[0], 2, anchors);
        String stride = g.initializer("anchor_strides", grid[1], 1, anchors);
        String[] ltrb = g.split(dist, 1, 2, 2);
        String x1y1 = g.sub(points, ltrb[0]);
        String x2y2 = g.add(points, ltrb[1]);
        String xy = g.div(g.add(x1y1, x2y2), g.initializer("two", new float[] {2f}));
        String wh = g.sub(x2y2, x1y1);
        String boxes = g.mul(g.concat(1, xy, wh), stride);
        return g.concat(1, boxes, g.sigmoid(boxCls[1]));
    }
}
