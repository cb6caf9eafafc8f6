package io.prunesweep.data;

import java.util.Arrays;
import java.util.List;

/**
 * Boxes of one image in pixel {@code x1 y1 x2 y2} with their classes: the working form while
 * augmenting.
 *
 * @param cls class per box, length n
 * @param xyxy corners, length 4n
 */
public record Boxes(float[] cls, float[] xyxy) {

    public static Boxes empty() {
        return new Boxes(new float[0], new float[0]);
    }

    public int n() {
        return cls.length;
    }

    /**
     * ultralytics {@code xywhn2xyxy}: normalized {@code (cls, cx, cy, w, h)} rows to pixels, plus
     * an offset.
     */
    public static Boxes fromNormalized(float[] rows, float w, float h, float padw, float padh) {
        int n = rows.length / 5;
        float[] cls = new float[n];
        float[] xyxy = new float[4 * n];
        for (int i = 0; i < n; i++) {
            cls[i] = rows[5 * i];
            float cx = rows[5 * i + 1],
                    cy = rows[5 * i + 2],
                    bw = rows[5 * i + 3],
                    bh = rows[5 * i + 4];
            xyxy[4 * i] = w * (cx - bw / 2) + padw;
            xyxy[4 * i + 1] = h * (cy - bh / 2) + padh;
            xyxy[4 * i + 2] = w * (cx + bw / 2) + padw;
            xyxy[4 * i + 3] = h * (cy + bh / 2) + padh;
        }
        return new Boxes(cls, xyxy);
    }

    public static Boxes concat(List<Boxes> parts) {
        int n = parts.stream().mapToInt(Boxes::n).sum();
        float[] cls = new float[n];
        float[] xyxy = new float[4 * n];
        int k = 0;
        for (Boxes b : parts) {
            System.arraycopy(b.cls, 0, cls, k, b.n());
            System.arraycopy(b.xyxy, 0, xyxy, 4 * k, 4 * b.n());
            k += b.n();
        }
        return new Boxes(cls, xyxy);
    }

    /**
     * Scales every coordinate, then shifts: ultralytics {@code scale} followed by {@code
     * add_padding}.
     */
    public Boxes scaled(float sx, float sy, float padw, float padh) {
        float[] out = new float[xyxy.length];
        for (int i = 0; i < xyxy.length; i += 2) {
            out[i] = xyxy[i] * sx + padw;
            out[i + 1] = xyxy[i + 1] * sy + padh;
        }
        return new Boxes(cls.clone(), out);
    }

    public Boxes clipped(float w, float h) {
        float[] out = xyxy.clone();
        for (int i = 0; i < out.length; i += 2) {
            out[i] = Math.min(Math.max(out[i], 0f), w);
            out[i + 1] = Math.min(Math.max(out[i + 1], 0f), h);
        }
        return new Boxes(cls.clone(), out);
    }

    public Boxes select(boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        float[] c = new float[n];
        float[] b = new float[4 * n];
        int j = 0;
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                c[j] = cls[i];
                System.arraycopy(xyxy, 4 * i, b, 4 * j, 4);
                j++;
            }
        }
        return new Boxes(c, b);
    }

    /** Keeps boxes with positive area (ultralytics {@code remove_zero_area_boxes}). */
    public Boxes withoutZeroArea() {
        boolean[] keep = new boolean[n()];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = (xyxy[4 * i + 2] - xyxy[4 * i]) * (xyxy[4 * i + 3] - xyxy[4 * i + 1]) > 0;
        }
        return select(keep);
    }

    /** Mirrors x about an image of width {@code w}. */
    public Boxes flippedX(float w) {
        float[] out = xyxy.clone();
        for (int i = 0; i < n(); i++) {
            out[4 * i] = w - xyxy[4 * i + 2];
            out[4 * i + 2] = w - xyxy[4 * i];
        }
        return new Boxes(cls.clone(), out);
    }

    /** Mirrors y about an image of height {@code h}. */
    public Boxes flippedY(float h) {
        float[] out = xyxy.clone();
        for (int i = 0; i < n(); i++) {
            out[4 * i + 1] = h - xyxy[4 * i + 3];
            out[4 * i + 3] = h - xyxy[4 * i + 1];
        }
        return new Boxes(cls.clone(), out);
    }

    @Override
    public String toString() {
        return "Boxes" + Arrays.toString(cls) + Arrays.toString(xyxy);
    }
}
