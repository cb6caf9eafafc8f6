package io.prunesweep.train;

import ai.djl.ndarray.NDArray;

/** {@code clip_grad_norm_(params, max_norm=10)} as ultralytics applies before every optimizer step. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales the flat gradient vector in place so its L2 norm is at most {@code maxNorm} (torch's coefficient
     * {@code max_norm / (norm + 1e-6)}, capped at 1); returns the norm before.
     */
    public static float clip(NDArray flatGrads, float maxNorm) {
        float norm = flatGrads.norm().getFloat();
        float coef = maxNorm / (norm + 1e-6f);
        if (coef < 1f) flatGrads.muli(coef);
        return norm;
    }
}
