package io.prunesweep.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * What a module's forward can use: its convs by path, its raw parameters, and the training flag.
 */
public interface LayerForward {
    /** Applies the conv at {@code path} (conv, then BatchNorm and SiLU when the spec has them). */
    NDArray conv(String path, NDArray x);

    /** A parameter by its name within the layer, e.g. {@code dfl.conv.weight}. */
    NDArray param(String name);

    boolean training();
}
