package io.prunesweep.model;

/**
 * One convolution with explicit widths. Ultralytics' {@code Conv} is {@code bn=true} (Conv2d
 * without bias, BatchNorm, optional SiLU); a plain {@code nn.Conv2d} is {@code bn=false}. Pruning
 * changes {@code in}/{@code out} (and {@code groups} for depthwise convs); everything else is fixed
 * by the architecture.
 */
public record ConvSpec(
        int in,
        int out,
        int kernel,
        int stride,
        int padding,
        int groups,
        int dilation,
        boolean bn,
        boolean act,
        boolean bias,
        boolean trainable) {

    /**
     * Ultralytics {@code Conv(c1, c2, k, s, p=autopad, g, d, act)}: Conv2d(bias=False) + BN + SiLU.
     */
    public static ConvSpec conv(int in, int out, int k, int s, Integer p, int g, boolean act) {
        int pad = p == null ? k / 2 : p;
        return new ConvSpec(in, out, k, s, pad, g, 1, true, act, false, true);
    }

    public static ConvSpec conv(int in, int out, int k, int s) {
        return conv(in, out, k, s, null, 1, true);
    }

    /** Plain {@code nn.Conv2d(c1, c2, k)} with bias, as in the detection head's last layers. */
    public static ConvSpec plain(int in, int out, int k, boolean bias) {
        return new ConvSpec(in, out, k, 1, k / 2, 1, 1, false, false, bias, true);
    }

    /**
     * Whether this is a depthwise conv (one group per channel), whose group count follows its
     * width.
     */
    public boolean depthwise() {
        return groups > 1 && groups == in && in == out;
    }

    public ConvSpec withIn(int newIn) {
        int g = depthwise() ? newIn : groups;
        int o = depthwise() ? newIn : out;
        return new ConvSpec(
                newIn, o, kernel, stride, padding, g, dilation, bn, act, bias, trainable);
    }

    public ConvSpec withOut(int newOut) {
        int g = depthwise() ? newOut : groups;
        int i = depthwise() ? newOut : in;
        return new ConvSpec(
                i, newOut, kernel, stride, padding, g, dilation, bn, act, bias, trainable);
    }

    /** Weight, bias and BN affine parameters (running statistics are buffers, not parameters). */
    public long parameterCount() {
        long n = (long) out * (in / groups) * kernel * kernel;
        if (bias) {
            n += out;
        }
        if (bn) {
            n += 2L * out;
        }
        return n;
    }

    /** Spatial output size for an input size, as PyTorch computes it. */
    public int outputSize(int inputSize) {
        return (inputSize + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
    }
}
