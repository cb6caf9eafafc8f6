package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * Task-aligned assigner (TOOD), number for number with ultralytics {@code TaskAlignedAssigner}: for
 * every ground-truth box, the {@code topk} anchors whose centres lie inside it and that maximise
 * {@code score^alpha * CIoU^beta} become positives; an anchor claimed by several boxes goes to the
 * box it overlaps most; target scores are the one-hot class scaled by the normalised alignment
 * metric.
 *
 * <p>Vectorised over the whole batch. CIoU and class scores are evaluated only for (image, box,
 * anchor) triples whose anchor lies inside the box, like ultralytics' boolean indexing; everything
 * else is dense [B, M, A]. Inputs must be detached (the assigner is not differentiated).
 */
public final class TaskAlignedAssigner {
    private final int numClasses;
    private final AssignerSettings settings;

    /**
     * Assignment per anchor. Shapes: labels [B, A] int64, boxes [B, A, 4] (pixels), weight [B, A]
     * (the target score of the assigned class: normalised alignment, 0 for background), fg [B, A]
     * bool, gtIndex [B, A] int64 (assigned box within its image). Ultralytics' dense target scores
     * are {@link #scores(int)}.
     */
    public record Assignment(
            NDArray labels, NDArray boxes, NDArray weight, NDArray fg, NDArray gtIndex) {
        /**
         * ultralytics' target_scores [B, A, nc]: one-hot(label) * weight. The weight is already 0
         * on background anchors (their alignment is masked out), which is where ultralytics zeroes
         * the one-hot.
         */
        public NDArray scores(int numClasses) {
            Shape s = weight.getShape();
            return weight.getManager()
                    .zeros(new Shape(s.get(0), s.get(1), numClasses))
                    .scatter(
                            labels.clip(0, numClasses - 1).expandDims(2),
                            weight.expandDims(2),
                            2); // bg_idx -> 0
        }
    }

    public TaskAlignedAssigner(int numClasses, AssignerSettings settings) {
        this.numClasses = numClasses;
        this.settings = settings;
    }

    /**
     * @param pdLogits [B, A, nc] predicted class logits, detached; the sigmoid is applied only
     *     where needed
     * @param pdBoxes [B, A, 4] predicted xyxy boxes in pixels, detached
     * @param anchors [A, 2] anchor points in pixels
     * @param gt padded ground truth in pixels
     */
    public Assignment assign(NDArray pdLogits, NDArray pdBoxes, NDArray anchors, PaddedTargets gt) {
        NDManager mgr = pdLogits.getManager();
        Shape ss = pdLogits.getShape();
        long bs = ss.get(0);
        long na = ss.get(1);
        int m = gt.maxBoxes();
        if (m == 0) {
            return new Assignment(
                    mgr.full(new Shape(bs, na), numClasses, DataType.INT64),
                    mgr.zeros(new Shape(bs, na, 4)),
                    mgr.zeros(new Shape(bs, na)),
                    mgr.zeros(new Shape(bs, na), DataType.BOOLEAN),
                    mgr.zeros(new Shape(bs, na), DataType.INT64));
        }
        NDArray gtBoxes = gt.boxes();

        // Anchor centre strictly inside the box: min(x - x1, y - y1, x2 - x, y2 - y) > eps.  [B, M,
        // A]
        NDArray lt = gtBoxes.get("..., 0:2").expandDims(2);
        NDArray rb = gtBoxes.get("..., 2:4").expandDims(2);
        NDArray inGts =
                anchors.sub(lt)
                        .min(new int[] {3})
                        .minimum(rb.sub(anchors).min(new int[] {3}))
                        .gt(settings.eps());
        NDArray candidates = inGts.logicalAnd(gt.mask().gt(0f)); // [B, M, A] bool

        // Sparse: metrics only for the candidate triples (image b, box j, anchor a), then written
        // into dense maps.
        NDArray idx = candidates.nonzero(); // [P, 3]
        NDArray b = idx.get(":, 0");
        NDArray j = idx.get(":, 1");
        NDArray a = idx.get(":, 2");
        NDIndex bj = new NDIndex("{}, {}", b, j);
        NDIndex ba = new NDIndex("{}, {}", b, a);
        NDArray label = gt.labels().get(bj).squeeze(1).toType(DataType.INT64, false);
        NDArray score = Activation.sigmoid(pdLogits.get(new NDIndex("{}, {}, {}", b, a, label)));
        NDArray overlap = BoxOps.ciou(gtBoxes.get(bj), pdBoxes.get(ba)).maximum(0f);
        NDArray metric = score.pow(settings.alpha()).mul(overlap.pow(settings.beta()));
        Shape bma = new Shape(bs, m, na);
        NDIndex bja = new NDIndex("{}, {}, {}", b, j, a);
        NDArray overlaps = mgr.zeros(bma);
        overlaps.set(bja, overlap);
        NDArray align = mgr.zeros(bma);
        align.set(bja, metric);

        // Top-k by metric per box (torch.topk, so ties break as in ultralytics); padded boxes are
        // masked out below.
        int k = (int) Math.min(settings.topk(), na);
        NDArray topIdx = align.topK(k, 2, true, true).get(1);
        NDArray inTopk = mgr.zeros(bma).scatter(topIdx, mgr.ones(topIdx.getShape()), 2);
        NDArray maskPos = inTopk.mul(candidates.toType(DataType.FLOAT32, false)); // [B, M, A]

        // An anchor claimed by several boxes keeps only the box with the highest overlap (argmax
        // over all boxes).
        // Always applied: when nobody is claimed twice it changes nothing, and it saves a
        // device->host sync.
        NDArray multi = maskPos.sum(new int[] {1}, true).gt(1f); // [B, 1, A]
        NDArray boxIds = mgr.arange(0f, (float) m, 1f, DataType.INT64).reshape(1, m, 1);
        NDArray isMax = overlaps.argMax(1).expandDims(1).eq(boxIds).toType(DataType.FLOAT32, false);
        maskPos =
                NDArrays.where(
                        multi.broadcast(bma), isMax, maskPos); // DJL where does not broadcast
        NDArray fg = maskPos.sum(new int[] {1}); // [B, A]
        NDArray gtIndex = maskPos.argMax(1); // [B, A], 0 for background

        NDArray gi = gtIndex.expandDims(2);
        NDArray labels = gt.labels().gather(gi, 1).squeeze(2).toType(DataType.INT64, false);
        NDArray boxes = gtBoxes.gather(gi.broadcast(bs, na, 4), 1);
        NDArray fgMask = fg.gt(0f);

        // Normalise: per box, scale the metric so its best positive anchor gets that box's best
        // positive CIoU.
        NDArray alignPos = align.mul(maskPos);
        NDArray maxAlign = alignPos.max(new int[] {2}, true); // [B, M, 1]
        NDArray maxOverlap = overlaps.mul(maskPos).max(new int[] {2}, true);
        NDArray norm =
                alignPos.mul(maxOverlap)
                        .div(maxAlign.add(settings.eps()))
                        .max(new int[] {1}); // [B, A]
        return new Assignment(labels, boxes, norm, fgMask, gtIndex);
    }
}
