package io.prunesweep.sweep.search;

/**
 * A point a search round adds: an ordinary grid point of {@code series} at {@code ratio} finetuned
 * for {@code epochs}, with why it was added.
 *
 * @param resumeRatioEpochs halving: the epochs of the same (series, ratio) point whose finetune
 *     this one continues (its short-budget checkpoint), or 0 for a fresh point
 */
public record Proposal(
        Series series, double ratio, int epochs, int round, String reason, int resumeRatioEpochs) {}
