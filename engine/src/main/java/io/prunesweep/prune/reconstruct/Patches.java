package io.prunesweep.prune.reconstruct;

import io.prunesweep.model.ConvSpec;
import java.util.SplittableRandom;

/**
 * Sampled im2col rows of a conv: for a sampled output position, the input values its kernel covers,
 * laid out as the weight is ({@code [in, kh, kw]} flattened), then a 1 for the intercept. Zero
 * padding is applied as the conv applies it. Only groups == 1 convs are refitted, so every row
 * spans all input channels.
 */
final class Patches {
    private Patches() {}

    /**
     * Sampled output positions of a batch: {@code perImage} distinct positions per image (all of
     * them when the map is smaller), as {@code [image, y, x]} triples.
     */
    static int[] positions(
            int images, int height, int width, int perImage, SplittableRandom random) {
        int hw = height * width;
        int k = Math.min(perImage, hw);
        int[] out = new int[images * k * 3];
        int at = 0;
        int[] pool = new int[hw];
        for (int b = 0; b < images; b++) {
            for (int i = 0; i < hw; i++) {
                pool[i] = i;
            }
            for (int i = 0; i < k; i++) { // partial Fisher-Yates: k distinct positions
                int j = i + random.nextInt(hw - i);
                int t = pool[i];
                pool[i] = pool[j];
                pool[j] = t;
                out[at++] = b;
                out[at++] = pool[i] / width;
                out[at++] = pool[i] % width;
            }
        }
        return out;
    }

    /**
     * Splits {@code [image, y, x]} triples into those of images {@code held} rejects (the fit's)
     * and those it accepts (the held-out ones), keeping their order.
     */
    static int[][] split(int[] positions, java.util.function.IntPredicate held) {
        int n = positions.length / 3;
        int[] fit = new int[positions.length];
        int[] out = new int[positions.length];
        int f = 0;
        int h = 0;
        for (int r = 0; r < n; r++) {
            boolean isHeld = held.test(positions[3 * r]);
            for (int j = 0; j < 3; j++) {
                if (isHeld) {
                    out[h++] = positions[3 * r + j];
                } else {
                    fit[f++] = positions[3 * r + j];
                }
            }
        }
        return new int[][] {java.util.Arrays.copyOf(fit, f), java.util.Arrays.copyOf(out, h)};
    }

    /**
     * Rows {@code [n, in*k*k (+ 1)]} of the input {@code x} ({@code [B, in, H, W]} row-major) at
     * the output positions.
     */
    static float[] rows(
            float[] x, long[] shape, ConvSpec spec, int[] positions, boolean intercept) {
        int c = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int k = spec.kernel();
        int d = c * k * k + (intercept ? 1 : 0);
        int n = positions.length / 3;
        float[] out = new float[n * d];
        for (int r = 0; r < n; r++) {
            int b = positions[3 * r];
            int oy = positions[3 * r + 1];
            int ox = positions[3 * r + 2];
            int base = r * d;
            for (int ch = 0; ch < c; ch++) {
                int plane = (b * c + ch) * h * w;
                for (int ky = 0; ky < k; ky++) {
                    int iy = oy * spec.stride() - spec.padding() + ky * spec.dilation();
                    for (int kx = 0; kx < k; kx++) {
                        int ix = ox * spec.stride() - spec.padding() + kx * spec.dilation();
                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                            out[base + (ch * k + ky) * k + kx] = x[plane + iy * w + ix];
                        }
                    }
                }
            }
            if (intercept) {
                out[base + d - 1] = 1f;
            }
        }
        return out;
    }

    /**
     * Rows {@code [n, channels.length]} of {@code y} ({@code [B, C, H, W]}) at the positions, those
     * channels only.
     */
    static float[] targets(float[] y, long[] shape, int[] channels, int[] positions) {
        int c = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int n = positions.length / 3;
        float[] out = new float[n * channels.length];
        for (int r = 0; r < n; r++) {
            int b = positions[3 * r];
            int pix = positions[3 * r + 1] * w + positions[3 * r + 2];
            for (int j = 0; j < channels.length; j++) {
                out[r * channels.length + j] = y[(b * c + channels[j]) * h * w + pix];
            }
        }
        return out;
    }
}
