package io.prunesweep.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * Sees every convolution of a forward pass: its input and its output before BatchNorm (for a plain
 * conv, its output with bias). Feature-map reconstruction after pruning uses it to collect a conv's
 * inputs in the pruned network and its targets in the original one. The arrays belong to the
 * forward's scope: copy what is kept.
 */
@FunctionalInterface
public interface ConvTap {
    void onConv(int layer, String path, NDArray input, NDArray preNorm);
}
