package io.prunesweep.pipeline;

/** The three stages of a grid point's pipeline, in the order they run. */
public enum StageKind {
    /** Ordinary training (or import of an initial checkpoint); shared by every point of a seed. */
    DENSE,
    /** Training with the L1 penalty on BN gamma (lambda > 0); shared by every method/ratio of that lambda. */
    SPARSE,
    /** Prune by (method, ratio), finetune, evaluate; one per grid point. */
    PRUNE_FINETUNE
}
