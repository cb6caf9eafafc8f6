package io.prunesweep.train.loss;

import java.util.Arrays;

/**
 * YOLOv5's loss hyperparameters ({@code data/hyps/hyp.scratch-low.yaml}) and its per-level
 * objectness balance.
 *
 * @param box CIoU box-loss gain
 * @param obj objectness BCE gain
 * @param cls class BCE gain
 * @param anchorT a target matches an anchor when neither its width nor height ratio to the anchor
 *     exceeds this
 * @param balance objectness weight per level (P3 weighs most: its many cells are mostly background)
 */
public record AnchorLossSettings(float box, float obj, float cls, float anchorT, float[] balance) {
    public static final AnchorLossSettings DEFAULTS =
            new AnchorLossSettings(0.05f, 1.0f, 0.5f, 4.0f, new float[0]);

    public AnchorLossSettings {
        balance = balance.clone();
    }

    /**
     * Scaled as YOLOv5's train.py does before building the loss: box by 3/nl, cls by nc/80 * 3/nl,
     * obj by (imgsz/640)^2 * 3/nl; balance [4, 1, 0.4] for 3 levels, else [4, 1, 0.25, 0.06, 0.02]
     * (P3-P7).
     */
    public AnchorLossSettings scaled(int nl, int nc, int imgsz) {
        if (nl < 1 || nl > 5) {
            throw new IllegalArgumentException("YOLOv5's loss balances 1 to 5 levels, got " + nl);
        }
        double layers = 3.0 / nl;
        float[] bal =
                nl == 3
                        ? new float[] {4.0f, 1.0f, 0.4f}
                        : Arrays.copyOf(new float[] {4.0f, 1.0f, 0.25f, 0.06f, 0.02f}, nl);
        return new AnchorLossSettings(
                (float) (box * layers),
                (float) (obj * Math.pow(imgsz / 640.0, 2) * layers),
                (float) (cls * nc / 80.0 * layers),
                anchorT,
                bal);
    }
}
