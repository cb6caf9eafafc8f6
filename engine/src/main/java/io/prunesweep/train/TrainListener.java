package io.prunesweep.train;

/** Progress of a training run: the console shows a bar, a sweep task streams it to its driver. */
public interface TrainListener {
    default void onStart(int startEpoch, int epochs, int batchesPerEpoch, String summary) {}

    /** Example lines of what the dataset scan skipped and why ({@code file:line: reason}), when there were any. */
    default void onDataProblems(java.util.List<String> examples) {}

    default void onBatch(int epoch, int batch, int batches, double box, double cls, double dfl, double imagesPerSecond) {}

    default void onValidation(int epoch) {}

    default void onEpoch(EpochMetrics metrics) {}

    default void onEnd() {}

    TrainListener NONE = new TrainListener() {};
}
