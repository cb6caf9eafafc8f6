package io.prunesweep.train.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * YOLOv5's ComputeLoss: target assignment to anchors and neighbouring cells, and the loss value
 * against a plain-Java evaluation of upstream's formulas on a hand-assigned case; the v10 loss as
 * the sum of its two v8 losses; and its gradients through a real YOLOv5n against finite
 * differences.
 */
class AnchorDetectionLossTest {
    // grid 4x4, one target at (2.3, 1.7) size 1.5 x 1.0 cells; anchors 1x1 (matches: ratio 1.5) and
    // 8x8 (5.3 > 4: no)
    private static final float[] TARGET = {0, 1, 2.3f / 4, 1.7f / 4, 1.5f / 4, 1.0f / 4};
    private static final float[] ANCHORS = {1f, 1f, 8f, 8f};

    @Test
    void targetGetsItsCellAndTheNeighboursItsCentreIsNear() {
        AnchorTargets.Level m = AnchorTargets.build(TARGET, 2, ANCHORS, 4, 4, 4.0f);
        // own cell (x2, y1); left neighbour (x 2.3 is 0.3 into its cell); lower neighbour (y 1.7 is
        // 0.3 from the next)
        // cell = ((b * na + a) * H + y) * W + x with anchor 0
        assertArrayEquals(new long[] {1 * 4 + 2, 1 * 4 + 1, 2 * 4 + 2}, m.cells());
        float gx = TARGET[2] * 4, gy = TARGET[3] * 4, gw = TARGET[4] * 4, gh = TARGET[5] * 4;
        assertArrayEquals(
                new float[] {
                    gx - 2, gy - 1, gw, gh, gx - 1, gy - 1, gw, gh, gx - 2, gy - 2, gw, gh
                },
                m.box(),
                1e-6f);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, m.anchor());
        assertArrayEquals(new int[] {1, 1, 1}, m.cls());
        assertArrayEquals(m.cells(), m.objCell(), "distinct cells: each takes its own IoU");
        // a target too far in shape from every anchor has no positive at all
        float[] huge = {0, 0, 0.5f, 0.5f, 1f, 0.05f};
        assertEquals(0, AnchorTargets.build(huge, 2, ANCHORS, 4, 4, 4.0f).size());
    }

    @Test
    void lossEqualsUpstreamFormulasOnAHandAssignedCase() {
        int na = 2, nc = 2, no = nc + 5, h = 4, w = 4;
        float[] p = new float[na * no * h * w];
        Random r = new Random(3);
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        AnchorLossSettings s = AnchorLossSettings.DEFAULTS.scaled(1, nc, 640);
        assertEquals(0.15f, s.box(), 1e-7f);
        assertEquals(3.0f, s.obj(), 1e-7f);
        assertEquals(0.5f * 2 / 80 * 3, s.cls(), 1e-7f);
        try (NDManager m = NDManager.newBaseManager()) {
            LossOutput out =
                    new AnchorDetectionLoss(nc, na, ANCHORS, s)
                            .compute(
                                    new NDList(m.create(p, new Shape(1, na * no, h, w))),
                                    m.create(TARGET, new Shape(1, 6)),
                                    64,
                                    64);

            // upstream, in doubles: the three positives of the assignment test, anchor 0
            int[][] cells = {{1, 2}, {1, 1}, {2, 2}}; // (y, x)
            double gx = TARGET[2] * 4f,
                    gy = TARGET[3] * 4f,
                    gw = TARGET[4] * 4f,
                    gh = TARGET[5] * 4f;
            double lbox = 0, lcls = 0;
            double[] tobj = new double[na * h * w];
            for (int[] c : cells) {
                double[] ps = new double[no];
                for (int k = 0; k < no; k++) {
                    ps[k] = p[((0 * no + k) * h + c[0]) * w + c[1]];
                }
                double px = sig(ps[0]) * 2 - 0.5, py = sig(ps[1]) * 2 - 0.5;
                double pw = Math.pow(sig(ps[2]) * 2, 2) * 1, ph = Math.pow(sig(ps[3]) * 2, 2) * 1;
                double iou = ciou(px, py, pw, ph, gx - c[1], gy - c[0], gw, gh);
                lbox += (1 - iou) / 3;
                tobj[c[0] * w + c[1]] = Math.max(iou, 0);
                for (int k = 0; k < nc; k++) {
                    lcls += bce(ps[5 + k], k == 1 ? 1 : 0) / (3 * nc);
                }
            }
            double lobj = 0;
            for (int a = 0; a < na; a++) {
                for (int i = 0; i < h * w; i++) {
                    lobj += bce(p[(a * no + 4) * h * w + i], a == 0 ? tobj[i] : 0) / (na * h * w);
                }
            }
            lobj *= 4.0; // balance of a single level
            assertEquals(lbox * s.box(), out.box(), 1e-6);
            assertEquals(lcls * s.cls(), out.cls(), 1e-6);
            assertEquals(lobj * s.obj(), out.dfl(), 1e-5, "objectness in the third slot");
            assertEquals(
                    lbox * s.box() + lcls * s.cls() + lobj * s.obj(),
                    out.total().getFloat(),
                    1e-5,
                    "batch of 1");
        }
    }

    @Test
    void v10LossIsTheOneToManyPlusTheTopOneLoss() {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolov10"), "n", 3);
        try (YoloModel model = YoloModel.create(g, 1, Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            LossFunction f = LossFunctions.forModel(model, LossGains.DEFAULTS, 64);
            assertInstanceOf(DualAssignmentLoss.class, f);
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 64));
            NDList raw = model.network().forwardRaw(new ParameterStore(m, false), x, true);
            NDArray t =
                    m.create(
                            new float[] {
                                0, 1, 0.5f, 0.5f, 0.4f, 0.3f, 1, 2, 0.3f, 0.6f, 0.2f, 0.2f
                            },
                            new Shape(2, 6));
            LossOutput both = f.compute(raw, t, 64, 64);
            float[] strides = {8, 16, 32};
            LossOutput many =
                    new DetectionLoss(3, 16, strides, LossGains.DEFAULTS, AssignerSettings.DEFAULTS)
                            .compute(LossFunctions.part(raw, 0, 3), t, 64, 64);
            LossOutput one =
                    new DetectionLoss(
                                    3,
                                    16,
                                    strides,
                                    LossGains.DEFAULTS,
                                    new AssignerSettings(1, 0.5f, 6f, 1e-9f))
                            .compute(LossFunctions.part(raw, 3, 6), t, 64, 64);
            assertEquals(
                    many.total().getFloat() + one.total().getFloat(),
                    both.total().getFloat(),
                    1e-4);
            assertEquals(many.box() + one.box(), both.box(), 1e-6);
        }
    }

    /**
     * Through a real YOLOv5n in training mode, the gradient of the box + class loss equals central
     * finite differences, from the head's output conv down to the first layer's BatchNorm.
     * (Objectness is left out: its targets are the detached IoUs, so its gradient is by design not
     * the derivative of its value.)
     */
    @Test
    void gradientsThroughYolov5nMatchFiniteDifferences() {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolov5"), "n", 2);
        try (YoloModel model = YoloModel.create(g, 2, Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            assertInstanceOf(
                    AnchorDetectionLoss.class,
                    LossFunctions.forModel(model, LossGains.DEFAULTS, 640));
            AnchorLossSettings s = AnchorLossSettings.DEFAULTS.scaled(3, 2, 640);
            float[] anchors =
                    model.network().parameters().get("model.24.anchors").getArray().toFloatArray();
            LossFunction f =
                    new AnchorDetectionLoss(
                            2,
                            3,
                            anchors,
                            new AnchorLossSettings(s.box(), 0f, s.cls(), s.anchorT(), s.balance()));
            float[] pixels = new float[2 * 3 * 64 * 64];
            Random r = new Random(1);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = r.nextFloat();
            }
            NDArray x = m.create(pixels, new Shape(2, 3, 64, 64));
            NDArray t =
                    m.create(
                            new float[] {
                                0, 0, 0.5f, 0.5f, 0.5f, 0.4f, 1, 1, 0.3f, 0.6f, 0.25f, 0.3f
                            },
                            new Shape(2, 6));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(
                        f.compute(
                                        model.network()
                                                .forwardRaw(new ParameterStore(m, false), x, true),
                                        t,
                                        64,
                                        64)
                                .total());
            }
            for (String name :
                    new String[] {
                        "model.24.m.0.weight", "model.23.cv3.conv.weight", "model.0.bn.bias"
                    }) {
                Parameter p = model.network().parameters().get(name);
                float[] grad = p.getArray().getGradient().toFloatArray();
                float[] w = p.getArray().toFloatArray();
                int at = 0;
                for (int i = 0; i < grad.length; i++) {
                    if (Math.abs(grad[i]) > Math.abs(grad[at])) {
                        at = i;
                    }
                }
                float eps = 1e-3f;
                float[] plus = w.clone();
                plus[at] += eps;
                p.getArray().set(plus);
                float lp = loss(model, f, x, t, m);
                float[] minus = w.clone();
                minus[at] -= eps;
                p.getArray().set(minus);
                float lm = loss(model, f, x, t, m);
                p.getArray().set(w);
                double fd = (lp - lm) / (2.0 * eps);
                assertTrue(grad[at] != 0, name + " gets a gradient");
                assertEquals(fd, grad[at], 0.05 * Math.abs(fd) + 2e-4, name + "[" + at + "]");
            }
        }
    }

    private static float loss(YoloModel model, LossFunction f, NDArray x, NDArray t, NDManager m) {
        try (NDManager scope = m.newSubManager()) {
            return f.compute(
                            model.network().forwardRaw(new ParameterStore(scope, false), x, true),
                            t,
                            64,
                            64)
                    .total()
                    .getFloat();
        }
    }

    private static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private static double bce(double x, double z) {
        return -(z * Math.log(sig(x)) + (1 - z) * Math.log(1 - sig(x)));
    }

    /** YOLOv5 v7.0 bbox_iou(xywh=True, CIoU=True). */
    private static double ciou(
            double x1,
            double y1,
            double w1,
            double h1,
            double x2,
            double y2,
            double w2,
            double h2) {
        double eps = 1e-7;
        double b1x1 = x1 - w1 / 2, b1x2 = x1 + w1 / 2, b1y1 = y1 - h1 / 2, b1y2 = y1 + h1 / 2;
        double b2x1 = x2 - w2 / 2, b2x2 = x2 + w2 / 2, b2y1 = y2 - h2 / 2, b2y2 = y2 + h2 / 2;
        double inter =
                Math.max(0, Math.min(b1x2, b2x2) - Math.max(b1x1, b2x1))
                        * Math.max(0, Math.min(b1y2, b2y2) - Math.max(b1y1, b2y1));
        double union = w1 * h1 + w2 * h2 - inter + eps;
        double iou = inter / union;
        double cw = Math.max(b1x2, b2x2) - Math.min(b1x1, b2x1);
        double ch = Math.max(b1y2, b2y2) - Math.min(b1y1, b2y1);
        double c2 = cw * cw + ch * ch + eps;
        double rho2 =
                (Math.pow(b2x1 + b2x2 - b1x1 - b1x2, 2) + Math.pow(b2y1 + b2y2 - b1y1 - b1y2, 2))
                        / 4;
        double v = 4 / (Math.PI * Math.PI) * Math.pow(Math.atan(w2 / h2) - Math.atan(w1 / h1), 2);
        double alpha = v / (v - iou + (1 + eps));
        return iou - (rho2 / c2 + v * alpha);
    }
}
