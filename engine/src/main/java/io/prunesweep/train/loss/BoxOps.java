package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/** Batched box conversions and CIoU, matching ultralytics ops/tal/metrics; every op broadcasts over leading axes. */
public final class BoxOps {
    /** 4 / pi^2, the CIoU aspect-ratio constant, rounded to float as torch does for a Python scalar. */
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

    /** Distances (l, t, r, b) from anchor points [.., 2] -> xyxy boxes (ultralytics dist2bbox, xywh=False). */
    public static NDArray dist2bbox(NDArray ltrb, NDArray anchorPoints) {
        NDArray x1y1 = anchorPoints.sub(ltrb.get("..., 0:2"));
        NDArray x2y2 = anchorPoints.add(ltrb.get("..., 2:4"));
        return NDArrays.concat(new NDList(x1y1, x2y2), -1);
    }

    /** xyxy boxes -> distances (l, t, r, b) from anchor points, clamped to [0, maxDist - 0.01] (bbox2dist). */
    public static NDArray bbox2dist(NDArray anchorPoints, NDArray xyxy, float maxDist) {
        NDArray lt = anchorPoints.sub(xyxy.get("..., 0:2"));
        NDArray rb = xyxy.get("..., 2:4").sub(anchorPoints);
        return NDArrays.concat(new NDList(lt, rb), -1).clip(0f, maxDist - 0.01f);
    }

    /**
     * Complete IoU of xyxy boxes, element-wise over broadcast leading axes ([..., 4] x [..., 4] -> [...]).
     * Same formula and eps placement as ultralytics {@code bbox_iou(xywh=False, CIoU=True)}; the trade-off
     * factor alpha is detached from the graph, as there.
     */
    public static NDArray ciou(NDArray box1, NDArray box2) {
        float eps = IOU_EPS;
        NDArray b1x1 = box1.get("..., 0");
        NDArray b1y1 = box1.get("..., 1");
        NDArray b1x2 = box1.get("..., 2");
        NDArray b1y2 = box1.get("..., 3");
        NDArray b2x1 = box2.get("..., 0");
        NDArray b2y1 = box2.get("..., 1");
        NDArray b2x2 = box2.get("..., 2");
        NDArray b2y2 = box2.get("..., 3");
        NDArray w1 = b1x2.sub(b1x1);
        NDArray h1 = b1y2.sub(b1y1).add(eps);
        NDArray w2 = b2x2.sub(b2x1);
        NDArray h2 = b2y2.sub(b2y1).add(eps);

        NDArray iw = b1x2.minimum(b2x2).sub(b1x1.maximum(b2x1)).maximum(0f);
        NDArray ih = b1y2.minimum(b2y2).sub(b1y1.maximum(b2y1)).maximum(0f);
        NDArray inter = iw.mul(ih);
        NDArray union = w1.mul(h1).add(w2.mul(h2)).sub(inter).add(eps);
        NDArray iou = inter.div(union);

        NDArray cw = b1x2.maximum(b2x2).sub(b1x1.minimum(b2x1));
        NDArray ch = b1y2.maximum(b2y2).sub(b1y1.minimum(b2y1));
        NDArray c2 = cw.square().add(ch.square()).add(eps);
        NDArray dx = b2x1.add(b2x2).sub(b1x1).sub(b1x2);
        NDArray dy = b2y1.add(b2y2).sub(b1y1).sub(b1y2);
        NDArray rho2 = dx.square().add(dy.square()).div(4f);
        NDArray v = w2.div(h2).atan().sub(w1.div(h1).atan()).square().mul(CIOU_V_SCALE);
        NDArray alpha = v.div(v.sub(iou).add(1f + eps)).stopGradient();
        return iou.sub(rho2.div(c2).add(v.mul(alpha)));
    }
}
