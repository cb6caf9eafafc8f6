package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;

/** {@code clip_grad_norm_(params, max_norm=10)} as ultralytics applies before every optimizer step. */
public final class GradClip {
    private GradClip() {}

    /** Scales all gradients so their global L2 norm is at most {@code maxNorm}; returns the norm before. */
    public static float clip(List<Parameter> params, float maxNorm, NDManager scope) {
        NDList squares = new NDList(params.size());
        NDList grads = new NDList(params.size());
        for (Parameter p : params) {
            NDArray g = p.getArray().getGradient();
            g.attach(scope);
            grads.add(g);
            squares.add(g.square().sum());
        }
        float norm = (float) Math.sqrt(NDArrays.stack(squares).sum().getFloat());
        float coef = maxNorm / (norm + 1e-6f);
        if (coef < 1f) {
            for (NDArray g : grads) g.muli(coef);
        }
        return norm;
    }
}
