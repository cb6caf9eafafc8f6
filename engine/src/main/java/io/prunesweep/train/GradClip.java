package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * {@code clip_grad_norm_(params, max_norm=10)} as ultralytics applies before every optimizer step.
 */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales the flat gradient vector in place so its L2 norm is at most {@code maxNorm}, the way
     * torch does it: {@code grads *= min(max_norm / (norm + 1e-6), 1)}, computed on the device, so
     * a step does not wait for the host. Returns the norm before clipping, a scalar tensor in
     * {@code flatGrads}' manager (read it only when logging).
     */
    public static NDArray clip(NDArray flatGrads, float maxNorm) {
        NDArray norm = flatGrads.norm();
        try (NDArray denom = norm.add(1e-6f);
                NDArray coef = NDArrays.div(maxNorm, denom).minimum(1f)) {
            flatGrads.muli(coef);
        }
        return norm;
    }
}
