package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * YOLOv10's {@code v10DetectLoss}: the v8 loss on the one-to-many head (task-aligned assigner,
 * top-10) plus the v8 loss on the one-to-one head (top-1), summed. The one-to-one head reads
 * detached features, so its loss trains only its own branch (the head's forward does that). The
 * logged components are the two heads' sums.
 */
public final class DualAssignmentLoss implements LossFunction {
    private final DetectionLoss oneToMany;
    private final DetectionLoss oneToOne;
    private final int levels;

    public DualAssignmentLoss(int nc, int regMax, float[] strides, LossGains gains) {
        AssignerSettings d = AssignerSettings.DEFAULTS;
        this.oneToMany = new DetectionLoss(nc, regMax, strides, gains, d);
        this.oneToOne =
                new DetectionLoss(
                        nc,
                        regMax,
                        strides,
                        gains,
                        new AssignerSettings(1, d.alpha(), d.beta(), d.eps()));
        this.levels = strides.length;
    }

    @Override
    public LossOutput compute(NDList raw, NDArray targets, int imgH, int imgW) {
        if (raw.size() != 2 * levels) {
            throw new IllegalArgumentException(
                    "v10 loss expects "
                            + levels
                            + " one-to-many and "
                            + levels
                            + " one-to-one maps, got "
                            + raw.size());
        }
        LossOutput many =
                oneToMany.compute(LossFunctions.part(raw, 0, levels), targets, imgH, imgW);
        LossOutput one =
                oneToOne.compute(LossFunctions.part(raw, levels, 2 * levels), targets, imgH, imgW);
        return new LossOutput(
                many.total().add(one.total()),
                many.box() + one.box(),
                many.cls() + one.cls(),
                many.dfl() + one.dfl());
    }
}
