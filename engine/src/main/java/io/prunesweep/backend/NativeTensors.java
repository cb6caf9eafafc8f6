package io.prunesweep.backend;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;

/**
 * Tensor operations libtorch has and DJL does not expose, called through JNA: re-pointing a tensor
 * at another tensor's memory, which is how a training loop keeps every parameter (and every
 * gradient) as a view into one contiguous buffer, so the optimizer updates the whole model with a
 * few in-place ops (the flat-buffer technique of apex and DeepSpeed); and the fused SiLU.
 */
public final class NativeTensors {
    private NativeTensors() {}

    /**
     * Makes {@code tensor} a view of {@code storage}'s memory ({@code tensor.data = storage} in
     * PyTorch). Shapes and dtypes must match; values are not copied. Every existing handle to
     * {@code tensor} (a DJL parameter, the autograd graph's reference to a gradient) sees the new
     * memory. {@code storage} may be closed afterwards: the memory lives as long as a tensor uses
     * it.
     */
    public static void share(NDArray tensor, NDArray storage) {
        if (!tensor.getShape().equals(storage.getShape())
                || tensor.getDataType() != storage.getDataType()
                || !tensor.getDevice().equals(storage.getDevice())) {
            throw new IllegalArgumentException(
                    "share: " + describe(tensor) + " cannot view " + describe(storage));
        }
        NativeBackend.setData(handle(tensor), handle(storage));
    }

    /**
     * {@code x * sigmoid(x)} as libtorch's one fused op ({@code torch.nn.functional.silu}, what
     * ultralytics' Conv uses): one pass forward and one backward, where {@code x.mul(x.sigmoid())}
     * takes two and about four, over the largest activations of the network. The result belongs to
     * {@code x}'s manager, like any op's.
     */
    public static NDArray silu(NDArray x) {
        return new PtNDArray((PtNDManager) x.getManager(), NativeBackend.silu(handle(x)));
    }

    private static long handle(NDArray a) {
        if (!(a instanceof PtNDArray pt)) {
            throw new IllegalArgumentException(
                    "share needs PyTorch engine tensors, got " + a.getClass().getName());
        }
        return pt.getHandle();
    }

    private static String describe(NDArray a) {
        return a.getDataType() + a.getShape().toString() + " on " + a.getDevice();
    }
}
