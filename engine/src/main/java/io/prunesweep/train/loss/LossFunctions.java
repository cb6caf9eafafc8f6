package io.prunesweep.train.loss;

import ai.djl.ndarray.NDList;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import io.prunesweep.model.modules.AnchorDetectModule;
import io.prunesweep.model.modules.V10DetectModule;

/**
 * The loss for a model's head: v8 (Detect), YOLOv5's ComputeLoss (AnchorDetect), v10's
 * dual-assignment (v10Detect).
 */
public final class LossFunctions {
    private LossFunctions() {}

    /**
     * @param gains the v8 gains (box, cls, dfl) of the anchor-free heads; the anchor-based head has
     *     its own (YOLOv5's box 0.05, obj 1.0, cls 0.5, scaled to the level count, class count and
     *     image size)
     * @param imgsz the training image size (YOLOv5 scales its objectness gain by (imgsz / 640)^2)
     */
    public static LossFunction forModel(YoloModel model, LossGains gains, int imgsz) {
        ModelGraph graph = model.graph();
        Layer head = graph.head();
        int nc = graph.nc();
        float[] strides = floats(graph.strides());
        switch (head.module()) {
            case AnchorDetectModule.NAME -> {
                float[] anchors =
                        model.network()
                                .parameters()
                                .get(head.prefix("") + "anchors")
                                .getArray()
                                .toFloatArray();
                AnchorLossSettings s =
                        AnchorLossSettings.DEFAULTS.scaled(strides.length, nc, imgsz);
                return new AnchorDetectionLoss(nc, head.intAttr("na"), anchors, s);
            }
            case V10DetectModule.NAME -> {
                return new DualAssignmentLoss(nc, head.intAttr("reg_max"), strides, gains);
            }
            default -> {
                if (!head.attrs().containsKey("reg_max")) {
                    throw new IllegalArgumentException(
                            "no loss for head "
                                    + head.module()
                                    + " (layer "
                                    + head.index()
                                    + "): PruneSweep trains Detect, AnchorDetect and v10Detect heads");
                }
                DetectionLoss v8 =
                        new DetectionLoss(
                                nc,
                                head.intAttr("reg_max"),
                                strides,
                                gains,
                                AssignerSettings.DEFAULTS);
                return v8::compute;
            }
        }
    }

    static float[] floats(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    /** The first {@code n} maps of a list (v10Detect's one-to-many levels) or the rest. */
    static NDList part(NDList raw, int from, int to) {
        NDList out = new NDList(to - from);
        for (int i = from; i < to; i++) {
            out.add(raw.get(i));
        }
        return out;
    }
}
