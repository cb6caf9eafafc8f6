package io.prunesweep.train.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class BoxOpsTest {

    /** CIoU by the paper's formula in double precision, written out for one pair of xyxy boxes. */
    static double ciouByHand(double[] p, double[] t) {
        double eps = 1e-7;
        double w1 = p[2] - p[0];
        double h1 = p[3] - p[1] + eps;
        double w2 = t[2] - t[0];
        double h2 = t[3] - t[1] + eps;
        double inter =
                Math.max(0, Math.min(p[2], t[2]) - Math.max(p[0], t[0]))
                        * Math.max(0, Math.min(p[3], t[3]) - Math.max(p[1], t[1]));
        double iou = inter / (w1 * h1 + w2 * h2 - inter + eps);
        double cw = Math.max(p[2], t[2]) - Math.min(p[0], t[0]);
        double ch = Math.max(p[3], t[3]) - Math.min(p[1], t[1]);
        double c2 = cw * cw + ch * ch + eps;
        double dx = (t[0] + t[2] - p[0] - p[2]) / 2;
        double dy = (t[1] + t[3] - p[1] - p[3]) / 2;
        double v = 4 / (Math.PI * Math.PI) * Math.pow(Math.atan(w2 / h2) - Math.atan(w1 / h1), 2);
        double alpha = v / (v - iou + 1 + eps);
        return iou - ((dx * dx + dy * dy) / c2 + v * alpha);
    }

    @Test
    void ciouOfHandWorkedPair() {
        // pred [0,0,24,24] vs GT [2,2,21,26]: inter 19*22=418, union 576+456-418=614, IoU
        // 0.6807818;
        // enclosing 24x26 -> c2 1252; centres (12,12) vs (11.5,14) -> rho2 4.25;
        // v = 4/pi^2 (atan(19/24) - pi/4)^2 = 0.0054309, alpha = v / (v - IoU + 1) = 0.0167285
        // CIoU = 0.6807818 - 4.25/1252 - 0.0054309*0.0167285 = 0.6772963
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {0, 0, 24, 24});
            NDArray t = m.create(new float[] {2, 2, 21, 26});
            assertEquals(0.6772963, BoxOps.ciou(p, t).getFloat(), 1e-6);
            assertEquals(
                    ciouByHand(new double[] {0, 0, 24, 24}, new double[] {2, 2, 21, 26}),
                    0.6772963,
                    1e-7);
            // symmetric in its arguments, 1 for identical boxes, negative for far apart ones
            assertEquals(0.6772963, BoxOps.ciou(t, p).getFloat(), 1e-6);
            assertEquals(1.0, BoxOps.ciou(t, t).getFloat(), 1e-6);
            NDArray far = m.create(new float[] {40, 40, 50, 60});
            assertEquals(
                    ciouByHand(new double[] {40, 40, 50, 60}, new double[] {2, 2, 21, 26}),
                    BoxOps.ciou(far, t).getFloat(),
                    1e-6);
        }
    }

    @Test
    void ciouBroadcastsOverLeadingAxes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray gts = m.create(new float[] {2, 2, 21, 26, 10, 10, 30, 20}, new Shape(2, 1, 4));
            NDArray preds =
                    m.create(
                            new float[] {0, 0, 24, 24, 8, 8, 32, 32, 12, 4, 20, 30},
                            new Shape(1, 3, 4));
            NDArray c = BoxOps.ciou(gts, preds);
            assertEquals(new Shape(2, 3), c.getShape());
            assertEquals(
                    new Shape(3),
                    BoxOps.ciou(m.create(new float[] {2, 2, 21, 26}), preds.squeeze(0)).getShape());
            float[] got = c.toFloatArray();
            float[][] g = {{2, 2, 21, 26}, {10, 10, 30, 20}};
            float[][] p = {{0, 0, 24, 24}, {8, 8, 32, 32}, {12, 4, 20, 30}};
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(
                            ciouByHand(toD(g[i]), toD(p[j])),
                            got[i * 3 + j],
                            2e-6,
                            "pair " + i + "," + j);
                }
            }
        }
    }

    @Test
    void conversions() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(
                    new float[] {2, 2, 22, 26},
                    BoxOps.xywh2xyxy(m.create(new float[] {12, 14, 20, 24})).toFloatArray());
            NDArray anchor = m.create(new float[] {1.5f, 1.5f});
            NDArray box = BoxOps.dist2bbox(m.create(new float[] {1f, 0.5f, 2f, 3f}), anchor);
            assertArrayEquals(new float[] {0.5f, 1f, 3.5f, 4.5f}, box.toFloatArray());
            // back to distances; clamped to [0, maxDist - 0.01]
            assertArrayEquals(
                    new float[] {1f, 0.5f, 2f, 3f},
                    BoxOps.bbox2dist(anchor, box, 15).toFloatArray());
            NDArray big = m.create(new float[] {-30f, 2f, 1f, 40f});
            assertArrayEquals(
                    new float[] {14.99f, 0f, 0f, 14.99f},
                    BoxOps.bbox2dist(anchor, big, 15).toFloatArray(),
                    1e-6f);
        }
    }

    private static double[] toD(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
