package io.prunesweep.train;

/** Progress of a training run: the console shows a bar, a sweep task streams it to its driver. */
public interface TrainListener {
    default void onStart(int startEpoch, int epochs, int batchesPerEpoch, String summary) {}

    /**
     * Example lines of what the dataset scan skipped and why ({@code file:line: reason}), when
     * there were any.
     */
    default void onDataProblems(java.util.List<String> examples) {}

    default void onBatch(
            int epoch,
            int batch,
            int batches,
            double box,
            double cls,
            double dfl,
            double imagesPerSecond) {}

    default void onValidation(int epoch) {}

    default void onEpoch(EpochMetrics metrics) {}

    default void onEnd() {}

    /**
     * A non-finite loss was met and the run is being replayed from the start of epoch {@code
     * fromEpoch} (0-based); {@code count} replays so far. Said loudly: it means the numbers were
     * wrong once.
     */
    default void onRecovery(String what, int count, int fromEpoch) {
        System.err.println(
                "WARNING: "
                        + what
                        + "; replaying from epoch "
                        + (fromEpoch + 1)
                        + " (recovery "
                        + count
                        + " of at most "
                        + Trainer.MAX_NAN_REPLAYS
                        + ")");
    }

    TrainListener NONE = new TrainListener() {};
}
