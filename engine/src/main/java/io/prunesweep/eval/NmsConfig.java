package io.prunesweep.eval;

/**
 * Settings of {@link Nms}, named and defaulted as ultralytics' {@code non_max_suppression}.
 *
 * @param confThreshold a class score must be strictly above this to make a candidate
 * @param iouThreshold a candidate overlapping an already kept box by strictly more than this is
 *     suppressed (a double, as torchvision compares its float IoU with it; the score threshold is
 *     compared in float32, as torch compares a float tensor with a Python number)
 * @param maxDet at most this many boxes per image survive
 * @param maxNms at most this many candidates (the best-scoring) enter suppression
 * @param maxWh class offset of class-aware NMS, in pixels: boxes of different classes never overlap
 * @param multiLabel a box yields one candidate per class above the threshold (validation), not only
 *     its best
 * @param agnostic suppress across classes
 */
public record NmsConfig(
        float confThreshold,
        double iouThreshold,
        int maxDet,
        int maxNms,
        int maxWh,
        boolean multiLabel,
        boolean agnostic) {

    /**
     * What ultralytics' DetectionValidator uses: conf 0.001, IoU 0.7, 300 boxes, multi-label,
     * class-aware.
     */
    public static final NmsConfig VALIDATION =
            new NmsConfig(0.001f, 0.7, 300, 30000, 7680, true, false);

    /** ultralytics' prediction defaults: conf 0.25, IoU 0.7, best class only. */
    public static final NmsConfig PREDICTION =
            new NmsConfig(0.25f, 0.7, 300, 30000, 7680, false, false);

    public NmsConfig {
        if (!(confThreshold >= 0 && confThreshold <= 1)
                || !(iouThreshold >= 0 && iouThreshold <= 1)) {
            throw new IllegalArgumentException(
                    "NMS thresholds must lie in [0, 1]: conf "
                            + confThreshold
                            + ", iou "
                            + iouThreshold);
        }
        if (maxDet < 1 || maxNms < 1 || maxWh < 0) {
            throw new IllegalArgumentException(
                    "NMS limits must be positive: max_det "
                            + maxDet
                            + ", max_nms "
                            + maxNms
                            + ", max_wh "
                            + maxWh);
        }
    }

    public NmsConfig withConf(float conf) {
        return new NmsConfig(conf, iouThreshold, maxDet, maxNms, maxWh, multiLabel, agnostic);
    }

    public NmsConfig withIou(double iou) {
        return new NmsConfig(confThreshold, iou, maxDet, maxNms, maxWh, multiLabel, agnostic);
    }

    public NmsConfig withMaxDet(int max) {
        return new NmsConfig(confThreshold, iouThreshold, max, maxNms, maxWh, multiLabel, agnostic);
    }

    public NmsConfig withMultiLabel(boolean multi) {
        return new NmsConfig(confThreshold, iouThreshold, maxDet, maxNms, maxWh, multi, agnostic);
    }

    public NmsConfig withAgnostic(boolean agn) {
        return new NmsConfig(confThreshold, iouThreshold, maxDet, maxNms, maxWh, multiLabel, agn);
    }
}
