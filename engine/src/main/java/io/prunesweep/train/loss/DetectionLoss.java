package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * YOLOv8 / YOLO11 detection loss, number for number with ultralytics {@code v8DetectionLoss}:
 * decode the DFL box distributions, assign targets with the task-aligned assigner, then BCE
 * classification loss, CIoU box loss and DFL, each gained and normalised by the total target score.
 *
 * <p>Vectorised over the whole batch: a fixed number of tensor ops per call (about 260) whatever
 * the batch size or the number of boxes; only the per-level reshape loops over levels. BCE uses
 * torch's identity {@code (1 - z) x - log_sigmoid(x) = softplus(x) - z x}; as the targets z are
 * non-zero only at the assigned class of positive anchors, the {@code z x} part and the box losses
 * are evaluated on the positives only, like ultralytics' {@code fg_mask} selection, and the dense
 * [B, A, nc] target scores are never built.
 *
 * <p>All intermediates live in a private sub-manager that is closed before returning; only {@link
 * LossOutput#total()} survives, attached to the manager of the input feature maps. (Closing the
 * Java handles is safe for backward: libtorch's autograd graph holds its own references to saved
 * tensors.)
 */
public final class DetectionLoss {
    private final int nc;
    private final int regMax;
    private final float[] strides;
    private final LossGains gains;
    private final TaskAlignedAssigner assigner;
    private final BoxLoss boxLoss;

    public DetectionLoss(
            int nc,
            int regMax,
            float[] strides,
            LossGains gains,
            AssignerSettings assignerSettings) {
        if (nc < 1) {
            throw new IllegalArgumentException(
                    "detection loss needs at least one class, got nc=" + nc);
        }
        this.nc = nc;
        this.regMax = regMax;
        this.strides = strides.clone();
        this.gains = gains;
        this.assigner = new TaskAlignedAssigner(nc, assignerSettings);
        this.boxLoss = new BoxLoss(regMax);
    }

    public DetectionLoss(int nc, float[] strides) {
        this(nc, 16, strides, LossGains.DEFAULTS, AssignerSettings.DEFAULTS);
    }

    /**
     * @param feats per level [B, 4 * regMax + nc, H_l, W_l] raw head outputs (box logits first,
     *     then class logits)
     * @param targets [N, 6] float rows (batch_index, class, cx, cy, w, h) normalised to the input
     *     image; N may be 0
     * @param imgH input image height in pixels
     * @param imgW input image width in pixels
     */
    public LossOutput compute(NDList feats, NDArray targets, int imgH, int imgW) {
        NDManager caller = feats.get(0).getManager();
        try (NDManager mgr = caller.newSubManager()) {
            return compute(feats, targets, imgH, imgW, mgr);
        }
    }

    /**
     * As {@link #compute(NDList, NDArray, int, int)} with intermediates in {@code mgr} (left open).
     */
    LossOutput compute(NDList feats, NDArray targets, int imgH, int imgW, NDManager mgr) {
        NDManager caller = feats.get(0).getManager();
        long bs = feats.get(0).getShape().get(0);
        Prepared p = prepare(mgr, feats, targets, imgH, imgW);
        TaskAlignedAssigner.Assignment as = p.assignment();
        NDArray targetScoresSum = as.weight().sum().maximum(1f); // = target_scores.sum()

        // Positive anchors (b, a): the only places where the target scores are non-zero.
        NDArray pos = as.fg().nonzero();
        NDArray b = pos.get(":, 0");
        NDArray a = pos.get(":, 1");
        NDIndex ba = new NDIndex("{}, {}", b, a);
        NDArray weight = as.weight().get(ba); // [F]

        // BCE summed over [B, A, nc] with targets z = one-hot(label) * weight:
        // sum(softplus(x) - z * x) = sum(softplus(x)) - sum over positives of weight * x[label].
        NDArray xLabel = p.predScores().get(new NDIndex("{}, {}, {}", b, a, as.labels().get(ba)));
        NDArray cls =
                Activation.softPlus(p.predScores())
                        .sum()
                        .sub(xLabel.mul(weight).sum())
                        .div(targetScoresSum);
        NDArray box;
        NDArray dfl;
        if (p.gt().maxBoxes()
                == 0) { // no box in the whole batch: nothing to regress (ultralytics leaves 0)
            box = mgr.zeros(new Shape());
            dfl = mgr.zeros(new Shape());
        } else {
            NDIndex anchorRows = new NDIndex("{}", a);
            BoxLoss.Parts parts =
                    boxLoss.compute(
                            p.predDist().get(ba),
                            p.predBoxes().get(ba),
                            p.anchors().points().get(anchorRows),
                            as.boxes().get(ba).div(p.anchors().strides().get(anchorRows)),
                            weight,
                            targetScoresSum);
            box = parts.iou();
            dfl = parts.dfl();
        }
        NDArray gained =
                NDArrays.stack(
                        new NDList(
                                box.mul(gains.box()), cls.mul(gains.cls()), dfl.mul(gains.dfl())));
        NDArray total = gained.sum().mul((float) bs);
        float[] parts = gained.stopGradient().toFloatArray();
        total.attach(caller);
        return new LossOutput(total, parts[0], parts[1], parts[2]);
    }

    /** Predictions split per anchor, anchors, padded ground truth and the assigner's targets. */
    record Prepared(
            NDArray predDist,
            NDArray predScores,
            NDArray predBoxes,
            Anchors anchors,
            PaddedTargets gt,
            TaskAlignedAssigner.Assignment assignment) {}

    /**
     * Everything before the loss terms; all arrays are created in (or re-attached to) {@code mgr}.
     */
    Prepared prepare(NDManager mgr, NDList feats, NDArray targets, int imgH, int imgW) {
        checkFeats(feats);
        long bs = feats.get(0).getShape().get(0);
        long no = 4L * regMax + nc;
        NDList flat = new NDList(feats.size());
        for (NDArray f : feats) {
            NDArray r = f.reshape(bs, no, -1);
            r.attach(mgr); // everything derived from it now lands in mgr
            flat.add(r);
        }
        NDArray cat = NDArrays.concat(flat, 2); // [B, no, A]
        NDList split = cat.split(new long[] {4L * regMax}, 1);
        NDArray predDist = split.get(0).transpose(0, 2, 1); // [B, A, 4*regMax]
        NDArray predScores = split.get(1).transpose(0, 2, 1); // [B, A, nc]

        Anchors anchors = Anchors.of(mgr, feats, strides);
        PaddedTargets gt = PaddedTargets.of(mgr, targets, (int) bs, nc, imgH, imgW);
        NDArray predBoxes = decode(anchors.points(), predDist); // [B, A, 4] grid units
        TaskAlignedAssigner.Assignment as =
                assigner.assign(
                        predScores.stopGradient(),
                        predBoxes.stopGradient().mul(anchors.strides()),
                        anchors.points().mul(anchors.strides()),
                        gt);
        return new Prepared(predDist, predScores, predBoxes, anchors, gt, as);
    }

    /**
     * DFL expectation per side, then anchor +/- distances: xyxy in grid units (ultralytics
     * bbox_decode).
     */
    NDArray decode(NDArray anchorPoints, NDArray predDist) {
        long[] s = predDist.getShape().getShape();
        NDArray proj = predDist.getManager().arange(0f, (float) regMax, 1f, DataType.FLOAT32);
        NDArray dist = predDist.reshape(s[0], s[1], 4, regMax).softmax(3).matMul(proj);
        return BoxOps.dist2bbox(dist, anchorPoints);
    }

    private void checkFeats(NDList feats) {
        if (feats.size() != strides.length) {
            throw new IllegalArgumentException(
                    "detection loss got "
                            + feats.size()
                            + " feature levels but "
                            + strides.length
                            + " strides");
        }
        long bs = feats.get(0).getShape().get(0);
        for (int l = 0; l < feats.size(); l++) {
            Shape s = feats.get(l).getShape();
            if (s.dimension() != 4 || s.get(0) != bs || s.get(1) != 4L * regMax + nc) {
                throw new IllegalArgumentException(
                        "feature level "
                                + l
                                + " has shape "
                                + s
                                + ", expected ["
                                + bs
                                + ", "
                                + (4 * regMax + nc)
                                + " (4*regMax + nc), H, W]");
            }
            if (feats.get(l).getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException(
                        "feature level "
                                + l
                                + " must be float32, got "
                                + feats.get(l).getDataType());
            }
        }
    }
}
