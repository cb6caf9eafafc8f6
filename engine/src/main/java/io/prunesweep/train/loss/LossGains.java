package io.prunesweep.train.loss;

/**
 * Gains applied to the three detection-loss components, as in ultralytics' {@code hyp.box/cls/dfl}.
 *
 * @param box CIoU box-loss gain (ultralytics default 7.5)
 * @param cls BCE classification-loss gain (default 0.5)
 * @param dfl distribution-focal-loss gain (default 1.5)
 */
public record LossGains(float box, float cls, float dfl) {
    public static final LossGains DEFAULTS = new LossGains(7.5f, 0.5f, 1.5f);
}
