package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * Batched box conversions and CIoU, matching ultralytics ops/tal/metrics; every op broadcasts over
 * leading axes.
 */
public final class BoxOps {
    /**
     * 4 / pi^2, the CIoU aspect-ratio constant, rounded to float as torch does for a Python scalar.
     */
    private static final float CIOU_V_SCALE = (float) (4.0 / (Math.PI * Math.PI));

    /** ultralytics bbox_iou default eps. */
    public static final float IOU_EPS = 1e-7f;

    private BoxOps() {}

    /** (cx, cy, w, h) -> (x1, y1, x2, y2) on the last axis. */
    public static NDArray xywh2xyxy(NDArray xywh) {
        NDArray xy = xywh.get("..., 0:2");
        NDArray half = xywh.get("..., 2:4").div(2f);
        return NDArrays.concat(new NDList(xy.sub(half), xy.add(half)), -1);
    }

    /**
     * Distances (l, t, r, b) from anchor points [.., 2] -> xyxy boxes (ultralytics dist2bbox,
     * xywh=False).
     */
    public static NDArray dist2bbox(NDArray ltrb, NDArray anchorPoints) {
        NDArray x1y1 = anchorPoints.sub(ltrb.get("..., 0:2"));
        NDArray x2y2 = anchorPoints.add(ltrb.get("..., 2:4"));
        return NDArrays.concat(new NDList(x1y1, x2y2), -1);
    }

    /**
     * xyxy boxes -> distances (l, t, r, b) from anchor points, clamped to [0, maxDist - 0.01]
     * (bbox2dist).
     */
    public static NDArray bbox2dist(NDArray anchorPoints, NDArray xyxy, float maxDist) {
        NDArray lt = anchorPoints.sub(xyxy.get("..., 0:2"));
        NDArray rb = xyxy.get("..., 2:4").sub(anchorPoints);
        return NDArrays.concat(new NDList(lt, rb), -1).clip(0f, maxDist - 0.01f);
    }

    /**
     * Complete IoU of xyxy boxes, element-wise over broadcast leading axes ([..., 4] x [..., 4] ->
     * [...]). Same formula and eps placement as ultralytics {@code bbox_iou(xywh=False,
     * CIoU=True)}; the trade-off factor alpha is detached from the graph, as there.
     */
    public static NDArray ciou(NDArray box1, NDArray box2) {
        // x and y are handled together as pairs on the last axis (half the ops of per-coordinate
        // code); every
        // float operation and its order match ultralytics, e.g. a 2-element prod is w * h, a
        // 2-element sum cw² + ch².
        float eps = IOU_EPS;
        NDList c1 =
                box1.split(2, box1.getShape().dimension() - 1); // DJL split takes no negative axis
        NDList c2 = box2.split(2, box2.getShape().dimension() - 1);
        NDArray lt1 = c1.get(0);
        NDArray rb1 = c1.get(1);
        NDArray lt2 = c2.get(0);
        NDArray rb2 = c2.get(1);
        NDArray hEps = box1.getManager().create(new float[] {0f, eps}); // eps on the height only
        NDArray wh1 = rb1.sub(lt1).add(hEps);
        NDArray wh2 = rb2.sub(lt2).add(hEps);

        NDArray inter = lastAxis(rb1.minimum(rb2).sub(lt1.maximum(lt2)).maximum(0f), true);
        NDArray union = lastAxis(wh1, true).add(lastAxis(wh2, true)).sub(inter).add(eps);
        NDArray iou = inter.div(union);

        NDArray enclose = rb1.maximum(rb2).sub(lt1.minimum(lt2)); // (cw, ch)
        NDArray diag2 = lastAxis(enclose.square(), false).add(eps);
        NDArray centre = lt2.add(rb2).sub(lt1).sub(rb1); // 2 * centre distance per axis
        NDArray rho2 = lastAxis(centre.square(), false).div(4f);
        NDArray v = aspectAngle(wh2).sub(aspectAngle(wh1)).square().mul(CIOU_V_SCALE);
        NDArray alpha = v.div(v.sub(iou).add(1f + eps)).stopGradient();
        return iou.sub(rho2.div(diag2).add(v.mul(alpha)));
    }

    /** Product or sum over the (x, y) pair on the last axis. */
    private static NDArray lastAxis(NDArray pair, boolean product) {
        int[] axis = {pair.getShape().dimension() - 1};
        return product ? pair.prod(axis) : pair.sum(axis);
    }

    private static NDArray aspectAngle(NDArray wh) {
        return wh.get("..., 0").div(wh.get("..., 1")).atan();
    }
}
