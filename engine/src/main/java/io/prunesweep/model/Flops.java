package io.prunesweep.model;

/**
 * Operation counting as ultralytics reports GFLOPs (thop): a conv costs {@code out_elements *
 * in/groups * k*k} multiply-accumulates (bias not counted), an affine BatchNorm {@code 2 * 2 *
 * elements}; GFLOPs = 2 * MACs / 1e9.
 */
public final class Flops {
    /** thop counts an affine BatchNorm as 2*numel, doubled for the affine transform. */
    public static final double BN_MACS_PER_ELEMENT = 4.0;

    private Flops() {}

    public static double convMacs(ConvSpec c, int h, int w) {
        long oh = c.outputSize(h);
        long ow = c.outputSize(w);
        double out = (double) oh * ow * c.out();
        double macs = out * (c.in() / c.groups()) * c.kernel() * c.kernel();
        if (c.bn()) {
            macs += BN_MACS_PER_ELEMENT * out;
        }
        return macs;
    }
}
