package io.prunesweep.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.prunesweep.backend.NativeTensors;

/** Tensor building blocks shared by the module types (kept to as few native calls as possible). */
public final class Ops {
    private Ops() {}

    /**
     * SiLU, libtorch's fused op on the PyTorch engine (as ultralytics' {@code nn.SiLU}); {@code x *
     * sigmoid(x)} elsewhere.
     */
    public static NDArray silu(NDArray x) {
        if (x instanceof ai.djl.pytorch.engine.PtNDArray) {
            return NativeTensors.silu(x);
        }
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    public static NDArray concat(NDArray... xs) {
        return xs.length == 1 ? xs[0] : NDArrays.concat(new NDList(xs), 1);
    }

    public static NDArray concat(NDList xs) {
        return xs.size() == 1 ? xs.get(0) : NDArrays.concat(xs, 1);
    }

    /** Splits channels into consecutive parts of the given sizes. */
    public static NDList splitChannels(NDArray x, int... sizes) {
        long[] at = new long[sizes.length - 1];
        long acc = 0;
        for (int i = 0; i < at.length; i++) {
            acc += sizes[i];
            at[i] = acc;
        }
        return x.split(at, 1);
    }

    /** Nearest-neighbour upsampling by an integer factor (each pixel repeated). */
    public static NDArray upsampleNearest(NDArray x, int factor) {
        return x.repeat(2, factor).repeat(3, factor);
    }

    public static NDArray maxPool(NDArray x, int k) {
        return Pool.maxPool2d(x, new Shape(k, k), new Shape(1, 1), new Shape(k / 2, k / 2), false);
    }
}
