package io.prunesweep.pipeline;

/**
 * The stages of a grid point's pipeline, in the order they run, and the sensitivity scan of a
 * trained model.
 */
public enum StageKind {
    /** Ordinary training (or import of an initial checkpoint); shared by every point of a seed. */
    DENSE,
    /**
     * Training with the L1 penalty on BN gamma (lambda > 0); shared by every method/ratio of that
     * lambda.
     */
    SPARSE,
    /** Prune by (method, ratio), finetune, evaluate; one per grid point. */
    PRUNE_FINETUNE,
    /**
     * Sensitivity scan: prune one channel space at one ratio (every other space intact) and
     * validate, no finetune; many such items ({@link StageSettings#scan()}) per run, the model and
     * val data loaded once.
     */
    SENSITIVITY
}
