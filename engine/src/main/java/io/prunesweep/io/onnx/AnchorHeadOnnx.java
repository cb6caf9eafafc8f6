package io.prunesweep.io.onnx;

import io.prunesweep.model.Layer;
import io.prunesweep.model.modules.AnchorDetectModule;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX of YOLOv5's anchor head: raw maps, and the decoding op for op as {@code
 * AnchorDetectModule.decode}.
 */
final class AnchorHeadOnnx {
    private AnchorHeadOnnx() {}

    static List<String> raw(Layer l, OnnxExportContext ctx, List<String> in) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            out.add(ctx.conv("m." + i, in.get(i)));
        }
        return out;
    }

    /**
     * Per level: {@code [B, na, 5 + nc, HW]}, sigmoid, xy = (2 s + cell - 0.5) * stride, wh = (2
     * s)^2 * anchor pixels, class x objectness; to {@code [B, 4 + nc, na * HW]}; levels
     * concatenated.
     */
    static OnnxHeadDecoder.Decoded decode(
            Layer head, OnnxExportContext ctx, List<String> raw, List<int[]> sizes) {
        OnnxGraphBuilder g = ctx.builder();
        int nc = head.intAttr("nc");
        int na = head.intAttr("na");
        int no = nc + 5;
        int[] strides = head.intsAttr("strides");
        float[] anchors = ctx.parameter("anchors").data();
        String two = ctx.scalar("two", 2f);
        String[] levels = new String[raw.size()];
        long columns = 0;
        for (int l = 0; l < raw.size(); l++) {
            int h = sizes.get(l)[0];
            int w = sizes.get(l)[1];
            long hw = (long) h * w;
            float s = strides[l];
            String[] p = g.split(g.sigmoid(g.reshape(raw.get(l), 0, na, no, hw)), 2, 2, 2, 1, nc);
            String grid =
                    g.initializer(
                            "anchor_cells", AnchorDetectModule.cellOffsets(h, w), 1, 1, 2, hw);
            String xy = g.mul(g.add(g.mul(p[0], two), grid), ctx.scalar("stride", s));
            float[] px = new float[na * 2];
            for (int k = 0; k < px.length; k++) {
                px[k] = anchors[l * na * 2 + k] * s;
            }
            String wh2 = g.mul(p[1], two);
            String wh = g.mul(g.mul(wh2, wh2), g.initializer("anchor_pixels", px, 1, na, 2, 1));
            String cls = g.mul(p[3], p[2]);
            levels[l] =
                    g.reshape(
                            g.transpose(g.concat(2, xy, wh, cls), 0, 2, 1, 3), 0, 4 + nc, na * hw);
            columns += na * hw;
        }
        return new OnnxHeadDecoder.Decoded(
                levels.length == 1 ? levels[0] : g.concat(2, levels), columns);
    }
}
