package io.prunesweep.data;

/**
 * Where one batch image came from and how it was fitted into the batch, so predictions can be
 * mapped back to original pixels: {@code x_orig = (x - padW) / ratioW}, {@code y_orig = (y - padH)
 * / ratioH}.
 *
 * @param path source image
 * @param origH original height
 * @param origW original width
 * @param ratioW batch pixels per original pixel, x
 * @param ratioH batch pixels per original pixel, y
 * @param padW left padding in batch pixels
 * @param padH top padding in batch pixels
 */
public record ImageInfo(
        String path, int origH, int origW, double ratioW, double ratioH, double padW, double padH) {

    /**
     * Maps {@code x1 y1 x2 y2} boxes (flat, in batch pixels) to original pixels, clipped to the
     * image.
     */
    public float[] toOriginal(float[] xyxy) {
        float[] out = new float[xyxy.length];
        for (int i = 0; i + 3 < xyxy.length; i += 4) {
            out[i] = clamp((xyxy[i] - padW) / ratioW, origW);
            out[i + 1] = clamp((xyxy[i + 1] - padH) / ratioH, origH);
            out[i + 2] = clamp((xyxy[i + 2] - padW) / ratioW, origW);
            out[i + 3] = clamp((xyxy[i + 3] - padH) / ratioH, origH);
        }
        return out;
    }

    private static float clamp(double v, int max) {
        return (float) Math.min(Math.max(v, 0), max);
    }
}
