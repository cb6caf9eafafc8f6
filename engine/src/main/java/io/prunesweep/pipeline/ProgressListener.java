package io.prunesweep.pipeline;

/**
 * Receives progress from a running stage. Implementations must be cheap: they run on the training
 * thread.
 */
@FunctionalInterface
public interface ProgressListener {
    void onProgress(Progress progress);

    ProgressListener NONE = p -> {};
}
