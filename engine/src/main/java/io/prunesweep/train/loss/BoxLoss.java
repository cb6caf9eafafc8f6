package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Box regression losses of ultralytics {@code BboxLoss}: CIoU loss and distribution focal loss (DFL), each
 * weighted per anchor by the sum of its target scores and divided by the batch's total target score.
 *
 * <p>Evaluated densely over all anchors instead of gathering the foreground ones: background anchors have target
 * score 0, hence weight 0, so sums and gradients equal ultralytics' masked version without a dynamic-shape gather.
 */
public final class BoxLoss {
    private final int regMax;

    public BoxLoss(int regMax) {
        if (regMax < 2) {
            throw new IllegalArgumentException("BoxLoss needs regMax >= 2 (DFL bins), got " + regMax);
        }
        this.regMax = regMax;
    }

    /** CIoU and DFL loss, ungained. */
    public record Parts(NDArray iou, NDArray dfl) {}

    /**
     * @param predDist        [B, A, 4 * regMax] raw distribution logits (differentiable)
     * @param predBoxes       [B, A, 4] decoded xyxy boxes in grid units (differentiable)
     * @param anchorPoints    [A, 2] anchor points in grid units
     * @param targetBoxes     [B, A, 4] assigned xyxy boxes in grid units
     * @param weight          [B, A] per-anchor target score, {@code targetScores.sum(-1)} (0 for background)
     * @param targetScoresSum scalar, max(sum of target scores, 1)
     */
    public Parts compute(NDArray predDist, NDArray predBoxes, NDArray anchorPoints, NDArray targetBoxes,
            NDArray weight, NDArray targetScoresSum) {
        NDArray iou = BoxOps.ciou(predBoxes, targetBoxes);
        NDArray lossIou = iou.neg().add(1f).mul(weight).sum().div(targetScoresSum);
        NDArray dfl = dfl(predDist, BoxOps.bbox2dist(anchorPoints, targetBoxes, regMax - 1))
                .mul(weight).sum().div(targetScoresSum);
        return new Parts(lossIou, dfl);
    }

    /**
     * Distribution focal loss per anchor (ultralytics {@code DFLoss}): cross-entropy to the two bins around each
     * continuous target distance, linearly weighted, averaged over the 4 sides.
     *
     * @param predDist [B, A, 4 * regMax] logits
     * @param target   [B, A, 4] distances in grid units
     * @return [B, A]
     */
    public NDArray dfl(NDArray predDist, NDArray target) {
        long[] s = predDist.getShape().getShape();
        NDArray t = target.clip(0f, regMax - 1 - 0.01f);
        NDArray left = t.floor();
        NDArray wl = left.add(1f).sub(t);
        NDArray wr = wl.neg().add(1f);
        NDArray li = left.toType(DataType.INT64, false).expandDims(3);
        NDArray logp = predDist.reshape(s[0], s[1], 4, regMax).logSoftmax(3);
        NDArray ceL = logp.gather(li, 3).squeeze(3).neg();
        NDArray ceR = logp.gather(li.add(1), 3).squeeze(3).neg();
        return ceL.mul(wl).add(ceR.mul(wr)).mean(new int[] {2});
    }
}
