package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * YOLOv5's (v6.x/v7.0) {@code ComputeLoss} for the anchor-based head: targets matched to anchors by
 * shape and to their cell plus up to two neighbouring cells ({@link AnchorTargets}); per level a
 * CIoU box loss (mean over positives), a BCE objectness loss over all cells whose targets are the
 * positives' detached, clamped IoU, weighted by the level balance, and a BCE class loss over the
 * positives (only when nc > 1); gained (see {@link AnchorLossSettings#scaled}) and multiplied by
 * the batch size.
 *
 * <p>Target matching runs on the host on plain floats (a few thousand rows at most); the tensor
 * work is a fixed number of ops per level: gather the positive rows, decode, CIoU, and the BCE
 * sums, using {@code BCE(x, z) = softplus(x) - z x} so the dense objectness target map is never
 * built. Intermediates live in a sub-manager closed before returning. The logged components are
 * box, cls and objectness (in {@link LossOutput}'s third slot).
 */
public final class AnchorDetectionLoss implements LossFunction {
    private static final float EPS = 1e-7f;

    /** 4 / pi^2 as upstream's float32 multiplication sees it. */
    private static final float V_SCALE = (float) (4 / (Math.PI * Math.PI));

    private final int nc;
    private final int na;
    private final float[] anchors;
    private final AnchorLossSettings hyp;

    /**
     * @param anchors [nl, na, 2] anchor sizes in grid units of their level (the head's {@code
     *     anchors} buffer)
     * @param hyp gains already scaled for the level count, class count and image size
     */
    public AnchorDetectionLoss(int nc, int na, float[] anchors, AnchorLossSettings hyp) {
        if (nc < 1) {
            throw new IllegalArgumentException(
                    "detection loss needs at least one class, got nc=" + nc);
        }
        if (anchors.length % (2 * na) != 0) {
            throw new IllegalArgumentException(
                    anchors.length
                            + " anchor values do not make levels of "
                            + na
                            + " (w, h) pairs");
        }
        if (hyp.balance().length != anchors.length / (2 * na)) {
            throw new IllegalArgumentException(
                    "balance has "
                            + hyp.balance().length
                            + " levels, anchors "
                            + anchors.length / (2 * na)
                            + "; use AnchorLossSettings.scaled");
        }
        this.nc = nc;
        this.na = na;
        this.anchors = anchors.clone();
        this.hyp = hyp;
    }

    @Override
    public LossOutput compute(NDList feats, NDArray targets, int imgH, int imgW) {
        int nl = anchors.length / (2 * na);
        if (feats.size() != nl) {
            throw new IllegalArgumentException(
                    "anchor loss got " + feats.size() + " levels for " + nl + " anchor levels");
        }
        int no = nc + 5;
        NDManager caller = feats.get(0).getManager();
        long bs = feats.get(0).getShape().get(0);
        float[] t = targetRows(targets, (int) bs);
        try (NDManager mgr = caller.newSubManager()) {
            NDArray lbox = mgr.zeros(new Shape());
            NDArray lobj = mgr.zeros(new Shape());
            NDArray lcls = mgr.zeros(new Shape());
            for (int l = 0; l < nl; l++) {
                NDArray p = feats.get(l);
                Shape s = p.getShape();
                if (s.dimension() != 4 || s.get(0) != bs || s.get(1) != (long) na * no) {
                    throw new IllegalArgumentException(
                            "level "
                                    + l
                                    + " has shape "
                                    + s
                                    + ", expected ["
                                    + bs
                                    + ", "
                                    + na * no
                                    + " (na * (5 + nc)), H, W]");
                }
                int h = (int) s.get(2);
                int w = (int) s.get(3);
                NDArray r = p.reshape(bs, na, no, h, w);
                r.attach(mgr); // everything derived from it lands in mgr
                NDArray cellsByRow =
                        r.transpose(0, 1, 3, 4, 2)
                                .reshape(-1, no); // row = ((b*na + a)*H + y)*W + x
                NDArray objLogits = cellsByRow.get(":, 4");
                float[] levelAnchors =
                        java.util.Arrays.copyOfRange(anchors, l * 2 * na, (l + 1) * 2 * na);
                AnchorTargets.Level m =
                        AnchorTargets.build(t, na, levelAnchors, h, w, hyp.anchorT());
                NDArray objPos = mgr.zeros(new Shape());
                if (m.size() > 0) {
                    int n = m.size();
                    NDArray rows = cellsByRow.get(new NDIndex("{}", mgr.create(m.cells())));
                    NDArray sig = rows.get(":, 0:4").getNDArrayInternal().sigmoid();
                    NDArray pxy = sig.get(":, 0:2").mul(2f).sub(0.5f);
                    NDArray pwh =
                            sig.get(":, 2:4")
                                    .mul(2f)
                                    .square()
                                    .mul(mgr.create(m.anchor(), new Shape(n, 2)));
                    NDArray tb = mgr.create(m.box(), new Shape(n, 4));
                    NDArray iou = ciou(pxy, pwh, tb.get(":, 0:2"), tb.get(":, 2:4"));
                    lbox = lbox.add(iou.neg().add(1f).mean());
                    NDArray objTarget =
                            iou.stopGradient()
                                    .maximum(0f)
                                    .get(new NDIndex("{}", mgr.create(m.objFrom())));
                    objPos =
                            objLogits
                                    .get(new NDIndex("{}", mgr.create(m.objCell())))
                                    .mul(objTarget)
                                    .sum();
                    if (nc > 1) {
                        NDArray logits = rows.get(":, 5:");
                        float[] oneHot = new float[n * nc];
                        for (int k = 0; k < n; k++) {
                            oneHot[k * nc + m.cls()[k]] = 1f;
                        }
                        NDArray bce =
                                Activation.softPlus(logits)
                                        .sum()
                                        .sub(
                                                logits.mul(mgr.create(oneHot, new Shape(n, nc)))
                                                        .sum());
                        lcls = lcls.add(bce.div((float) n * nc));
                    }
                }
                NDArray obj =
                        Activation.softPlus(objLogits)
                                .sum()
                                .sub(objPos)
                                .div((float) objLogits.size());
                lobj = lobj.add(obj.mul(hyp.balance()[l]));
            }
            NDArray gained =
                    ai.djl.ndarray.NDArrays.stack(
                            new NDList(
                                    lbox.mul(hyp.box()), lcls.mul(hyp.cls()), lobj.mul(hyp.obj())));
            NDArray total = gained.sum().mul((float) bs);
            float[] parts = gained.stopGradient().toFloatArray();
            total.attach(caller);
            return new LossOutput(total, parts[0], parts[1], parts[2]);
        }
    }

    /** Targets to host floats, checked: batch index in [0, bs), class in [0, nc). */
    private float[] targetRows(NDArray targets, int bs) {
        Shape ts = targets.getShape();
        if (ts.dimension() != 2 || ts.get(1) != 6) {
            throw new IllegalArgumentException(
                    "detection targets must be [N, 6] rows (batch_index, class, cx, cy, w, h),"
                            + " got shape "
                            + ts);
        }
        float[] t =
                ts.get(0) == 0
                        ? new float[0]
                        : targets.toType(DataType.FLOAT32, false).toFloatArray();
        for (int r = 0; r < t.length / 6; r++) {
            float b = t[6 * r];
            float c = t[6 * r + 1];
            if (b < 0 || b >= bs || b != (int) b) {
                throw new IllegalArgumentException(
                        "detection target row "
                                + r
                                + " has batch index "
                                + b
                                + ", expected an integer in [0, "
                                + bs
                                + ")");
            }
            if (c < 0 || c >= nc || c != (int) c) {
                throw new IllegalArgumentException(
                        "detection target row "
                                + r
                                + " has class "
                                + c
                                + ", expected an integer in [0, "
                                + nc
                                + "); does the dataset's class count match the model's nc?");
            }
        }
        return t;
    }

    /**
     * CIoU of xywh boxes as YOLOv5's {@code bbox_iou(xywh=True, CIoU=True)} (v7.0): corners from
     * centre +/- half size, union with eps, enclosing-box diagonal with eps, aspect term on the raw
     * w/h, alpha detached. x and y are handled together as pairs on the last axis, with upstream's
     * float operations in upstream's order.
     */
    static NDArray ciou(NDArray xy1, NDArray wh1, NDArray xy2, NDArray wh2) {
        NDArray half1 = wh1.div(2f);
        NDArray half2 = wh2.div(2f);
        NDArray lt1 = xy1.sub(half1);
        NDArray rb1 = xy1.add(half1);
        NDArray lt2 = xy2.sub(half2);
        NDArray rb2 = xy2.add(half2);
        NDArray inter = rb1.minimum(rb2).sub(lt1.maximum(lt2)).maximum(0f).prod(new int[] {1});
        NDArray union = wh1.prod(new int[] {1}).add(wh2.prod(new int[] {1})).sub(inter).add(EPS);
        NDArray iou = inter.div(union);
        NDArray c2 = rb1.maximum(rb2).sub(lt1.minimum(lt2)).square().sum(new int[] {1}).add(EPS);
        NDArray rho2 = lt2.add(rb2).sub(lt1).sub(rb1).square().sum(new int[] {1}).div(4f);
        NDArray v = aspect(wh2).sub(aspect(wh1)).square().mul(V_SCALE);
        NDArray alpha = v.div(v.sub(iou).add(1f + EPS)).stopGradient();
        return iou.sub(rho2.div(c2).add(v.mul(alpha)));
    }

    private static NDArray aspect(NDArray wh) {
        return wh.get(":, 0").div(wh.get(":, 1")).atan();
    }
}
