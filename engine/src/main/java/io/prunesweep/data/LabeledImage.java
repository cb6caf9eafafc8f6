package io.prunesweep.data;

import org.apache.hadoop.fs.Path;

/**
 * One usable image of a split and its validated boxes.
 *
 * @param image the image file
 * @param height original height in pixels
 * @param width original width in pixels
 * @param labels rows of {@code (class, cx, cy, w, h)}, coordinates normalized to [0, 1]; length
 *     {@code 5 * n}
 */
public record LabeledImage(Path image, int height, int width, float[] labels) {
    public int boxCount() {
        return labels.length / 5;
    }
}
