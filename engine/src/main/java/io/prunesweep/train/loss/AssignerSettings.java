package io.prunesweep.train.loss;

/**
 * Task-aligned assigner settings; defaults are the ones v8DetectionLoss passes to ultralytics'
 * {@code TaskAlignedAssigner}.
 *
 * @param topk candidates kept per ground-truth box (by alignment metric)
 * @param alpha exponent of the class score in the alignment metric
 * @param beta exponent of the CIoU in the alignment metric
 * @param eps guard for the "anchor centre inside box" test and the score normalisation
 */
public record AssignerSettings(int topk, float alpha, float beta, float eps) {
    public static final AssignerSettings DEFAULTS = new AssignerSettings(10, 0.5f, 6.0f, 1e-9f);

    public AssignerSettings {
        if (topk < 1) {
            throw new IllegalArgumentException("assigner topk must be >= 1, got " + topk);
        }
    }
}
