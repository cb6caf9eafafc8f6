package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Box regression losses of ultralytics {@code BboxLoss}: CIoU loss and distribution focal loss
 * (DFL) of the positive anchors, each weighted by the anchor's target score and divided by the
 * batch's total target score.
 */
public final class BoxLoss {
    private final int regMax;

    public BoxLoss(int regMax) {
        if (regMax < 2) {
            throw new IllegalArgumentException(
                    "BoxLoss needs regMax >= 2 (DFL bins), got " + regMax);
        }
        this.regMax = regMax;
    }

    /** CIoU and DFL loss, ungained. */
    public record Parts(NDArray iou, NDArray dfl) {}

    /**
     * Losses over the positive anchors only (the rows ultralytics selects with {@code fg_mask}); F
     * may be 0.
     *
     * @param predDist [F, 4 * regMax] raw distribution logits (differentiable)
     * @param predBoxes [F, 4] decoded xyxy boxes in grid units (differentiable)
     * @param anchorPoints [F, 2] anchor points in grid units
     * @param targetBoxes [F, 4] assigned xyxy boxes in grid units
     * @param weight [F] target score of each positive ({@code target_scores.sum(-1)})
     * @param targetScoresSum scalar, max(sum of all target scores, 1)
     */
    public Parts compute(
            NDArray predDist,
            NDArray predBoxes,
            NDArray anchorPoints,
            NDArray targetBoxes,
            NDArray weight,
            NDArray targetScoresSum) {
        NDArray iou = BoxOps.ciou(predBoxes, targetBoxes);
        NDArray lossIou = iou.neg().add(1f).mul(weight).sum().div(targetScoresSum);
        NDArray dfl =
                dfl(predDist, BoxOps.bbox2dist(anchorPoints, targetBoxes, regMax - 1))
                        .mul(weight)
                        .sum()
                        .div(targetScoresSum);
        return new Parts(lossIou, dfl);
    }

    /**
     * Distribution focal loss per anchor (ultralytics {@code DFLoss}): cross-entropy to the two
     * bins around each continuous target distance, linearly weighted, averaged over the 4 sides.
     *
     * @param predDist [..., 4 * regMax] logits
     * @param target [..., 4] distances in grid units
     * @return [...]
     */
    public NDArray dfl(NDArray predDist, NDArray target) {
        Shape lead = target.getShape().slice(0, target.getShape().dimension() - 1);
        int sideAxis = lead.dimension();
        NDArray t = target.clip(0f, regMax - 1 - 0.01f);
        NDArray left = t.floor();
        NDArray wl = left.add(1f).sub(t);
        NDArray wr = wl.neg().add(1f);
        int binAxis = sideAxis + 1;
        NDArray li = left.toType(DataType.INT64, false).expandDims(binAxis);
        NDArray logp = predDist.reshape(lead.addAll(new Shape(4, regMax))).logSoftmax(binAxis);
        NDArray ceL = logp.gather(li, binAxis).squeeze(binAxis).neg();
        NDArray ceR = logp.gather(li.add(1), binAxis).squeeze(binAxis).neg();
        return ceL.mul(wl).add(ceR.mul(wr)).mean(new int[] {sideAxis});
    }
}
