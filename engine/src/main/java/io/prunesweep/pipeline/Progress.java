package io.prunesweep.pipeline;

import java.util.Map;

/**
 * A progress report from a running stage; streamed by {@link StageMain} as {@code @@progress
 * {json}} lines.
 *
 * @param phase what is running: train, prune, finetune, eval, export
 * @param epoch current epoch (0-based), -1 when not training
 * @param epochs total epochs of the phase, 0 when not training
 * @param step current step within the epoch
 * @param steps steps per epoch, 0 when unknown
 * @param values current numbers (loss, lr, ...)
 * @param message free text, may be null
 */
public record Progress(
        String phase,
        int epoch,
        int epochs,
        long step,
        long steps,
        Map<String, Double> values,
        String message) {
    public Progress {
        values = values == null ? Map.of() : Map.copyOf(values);
    }

    /** A phase that is not training (data scan, prune, eval, export): a message only. */
    public static Progress note(String phase, String message) {
        return new Progress(phase, -1, 0, 0, 0, null, message);
    }

    /** Fraction of the phase done, in [0, 1], when epochs/steps are known. */
    public double fraction() {
        if (epochs <= 0) {
            return 0;
        }
        double inEpoch = steps > 0 ? Math.min(1.0, (double) step / steps) : 0;
        return Math.min(1.0, (Math.max(0, epoch) + inEpoch) / epochs);
    }
}
