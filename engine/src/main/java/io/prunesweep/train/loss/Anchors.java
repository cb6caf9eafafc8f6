package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Anchor points of all feature levels (ultralytics {@code make_anchors}): one point per grid cell
 * at the cell centre (+0.5) in that level's grid units, row-major within a level, levels
 * concatenated.
 *
 * @param points [A, 2] (x, y) in grid units of the anchor's own level
 * @param strides [A, 1] stride (pixels per grid unit) of each anchor
 */
public record Anchors(NDArray points, NDArray strides) {

    /**
     * Builds anchors for feature maps shaped [B, C, H_l, W_l]; values are computed in Java, two
     * array creations.
     */
    public static Anchors of(NDManager manager, NDList feats, float[] strides) {
        long[][] sizes = new long[feats.size()][];
        for (int l = 0; l < feats.size(); l++) {
            Shape s = feats.get(l).getShape();
            sizes[l] = new long[] {s.get(2), s.get(3)};
        }
        return of(manager, sizes, strides, 0.5f);
    }

    /**
     * @param sizes per level {H, W}; @param offset cell offset (ultralytics uses 0.5)
     */
    public static Anchors of(NDManager manager, long[][] sizes, float[] strides, float offset) {
        if (sizes.length != strides.length) {
            throw new IllegalArgumentException(
                    "anchors: "
                            + sizes.length
                            + " feature levels but "
                            + strides.length
                            + " strides");
        }
        int total = 0;
        for (long[] hw : sizes) {
            total += (int) (hw[0] * hw[1]);
        }
        float[] pts = new float[total * 2];
        float[] str = new float[total];
        int i = 0;
        for (int l = 0; l < sizes.length; l++) {
            for (int y = 0; y < sizes[l][0]; y++) {
                for (int x = 0; x < sizes[l][1]; x++) {
                    pts[2 * i] = x + offset;
                    pts[2 * i + 1] = y + offset;
                    str[i] = strides[l];
                    i++;
                }
            }
        }
        return new Anchors(
                manager.create(pts, new Shape(total, 2)), manager.create(str, new Shape(total, 1)));
    }

    public long count() {
        return points.getShape().get(0);
    }
}
