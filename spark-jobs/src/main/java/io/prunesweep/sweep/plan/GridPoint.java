package io.prunesweep.sweep.plan;

/**
 * One grid point and the chain of stages that produce it.
 *
 * @param denseId its dense stage
 * @param sparseId its sparse stage, null when lambda is 0
 * @param task its own prune+finetune+eval stage (task.id() is the point id)
 */
public record GridPoint(
        long seed,
        double lambda,
        String method,
        double ratio,
        String denseId,
        String sparseId,
        StageTask task) {
    public String pointId() {
        return task.id();
    }

    /** Whether the point re-fits the pruned network by least squares before finetuning. */
    public boolean reconstruct() {
        return task.settings().reconstruct();
    }
}
