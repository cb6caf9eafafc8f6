package io.prunesweep.io.onnx;

/**
 * Conv attributes in ONNX form: strides [h, w], pads [top, left, bottom, right], dilations [h, w],
 * group. Built from the torch-style symmetric settings with {@link #of(int, int)} and the withers.
 */
public record ConvParams(int[] strides, int[] pads, int[] dilations, int group) {
    public ConvParams {
        if (strides.length != 2 || pads.length != 4 || dilations.length != 2 || group < 1) {
            throw new IllegalArgumentException(
                    "ConvParams needs 2 strides, 4 pads, 2 dilations and group >= 1");
        }
        strides = strides.clone();
        pads = pads.clone();
        dilations = dilations.clone();
    }

    /**
     * Stride s and padding p on every side, dilation 1, one group (torch Conv2d(stride=s,
     * padding=p)).
     */
    public static ConvParams of(int stride, int pad) {
        return new ConvParams(
                new int[] {stride, stride}, new int[] {pad, pad, pad, pad}, new int[] {1, 1}, 1);
    }

    public ConvParams withGroup(int g) {
        return new ConvParams(strides, pads, dilations, g);
    }

    public ConvParams withDilation(int d) {
        return new ConvParams(strides, pads, new int[] {d, d}, group);
    }
}
