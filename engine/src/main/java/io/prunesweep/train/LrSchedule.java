package io.prunesweep.train;

/**
 * Ultralytics' learning-rate and momentum schedule: a linear factor {@code lf(e) = (1 - e/epochs)(1
 * - lrf) + lrf} per epoch and, during the first {@code nw = max(round(warmup_epochs * batches),
 * 100)} iterations, a linear warmup: bias lr falls from {@code warmup_bias_lr} and the other groups
 * rise from 0 to {@code lr0 * lf(e)}; momentum rises from {@code warmup_momentum} to {@code
 * momentum}.
 */
public record LrSchedule(
        float lr0,
        float lrf,
        int epochs,
        float momentum,
        float warmupMomentum,
        float warmupBiasLr,
        int warmupIterations) {

    public static LrSchedule of(
            TrainConfig c, float lr0, float momentum, float warmupBiasLr, int batchesPerEpoch) {
        int nw =
                c.warmupEpochs() > 0
                        ? Math.max((int) Math.round(c.warmupEpochs() * batchesPerEpoch), 100)
                        : -1;
        return new LrSchedule(
                lr0, c.lrf(), c.epochs(), momentum, c.warmupMomentum(), warmupBiasLr, nw);
    }

    public float factor(int epoch) {
        return Math.max(1f - (float) epoch / epochs, 0f) * (1f - lrf) + lrf;
    }

    /** Settings for iteration {@code ni} (counted from the start of training) in {@code epoch}. */
    public Optimizer.GroupSettings at(int epoch, long ni) {
        float target = lr0 * factor(epoch);
        if (warmupIterations > 0 && ni <= warmupIterations) {
            float t = (float) ni / warmupIterations;
            float bias = warmupBiasLr + (target - warmupBiasLr) * t;
            float other = target * t;
            float m = warmupMomentum + (momentum - warmupMomentum) * t;
            return new Optimizer.GroupSettings(new float[] {bias, other, other}, m);
        }
        return new Optimizer.GroupSettings(new float[] {target, target, target}, momentum);
    }

    /** Gradient accumulation during warmup: from 1 up to {@code nbs / batch} (ultralytics). */
    public int accumulate(long ni, int nbs, int batch) {
        int full = Math.max((int) Math.round((double) nbs / batch), 1);
        if (warmupIterations <= 0 || ni > warmupIterations) {
            return full;
        }
        double v = 1 + (nbs / (double) batch - 1) * ((double) ni / warmupIterations);
        return Math.max(1, (int) Math.round(v));
    }
}
