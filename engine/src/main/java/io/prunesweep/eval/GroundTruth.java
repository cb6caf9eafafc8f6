package io.prunesweep.eval;

import io.prunesweep.data.LabeledImage;

/**
 * The labelled objects of one image: boxes {@code (x1, y1, x2, y2)} in pixels (the same pixel space
 * as the predictions they are compared with) and a class index per box.
 *
 * @param boxes {@code 4 * n} floats, box {@code i} at {@code [4i, 4i+4)}
 * @param classes {@code n} class indices
 */
public record GroundTruth(float[] boxes, int[] classes) {
    public static final GroundTruth EMPTY = new GroundTruth(new float[0], new int[0]);

    public GroundTruth {
        if (boxes.length != 4 * classes.length) {
            throw new IllegalArgumentException(
                    "ground truth: "
                            + boxes.length
                            + " box floats for "
                            + classes.length
                            + " classes; need 4n, n");
        }
    }

    public int size() {
        return classes.length;
    }

    /**
     * From YOLO label rows (normalized {@code cx, cy, w, h}) to pixel {@code x1, y1, x2, y2} of an
     * image of the given size, in float32 as ultralytics' validator does ({@code xywh2xyxy(bbox) *
     * [w, h, w, h]}).
     */
    public static GroundTruth fromNormalizedXywh(
            float[] cxcywh, int[] classes, int width, int height) {
        if (cxcywh.length != 4 * classes.length) {
            throw new IllegalArgumentException(
                    "labels: "
                            + cxcywh.length
                            + " box floats for "
                            + classes.length
                            + " classes; need 4n, n");
        }
        float[] b = new float[cxcywh.length];
        for (int i = 0; i < cxcywh.length; i += 4) {
            float hw = cxcywh[i + 2] / 2;
            float hh = cxcywh[i + 3] / 2;
            b[i] = (cxcywh[i] - hw) * width;
            b[i + 1] = (cxcywh[i + 1] - hh) * height;
            b[i + 2] = (cxcywh[i] + hw) * width;
            b[i + 3] = (cxcywh[i + 1] + hh) * height;
        }
        return new GroundTruth(b, classes.clone());
    }

    /**
     * The labels of a dataset image in its original pixels, straight from the label rows. Both ways
     * of validating (a model's predictions, a predictions file) compare against this, so they agree
     * to the last bit; ultralytics instead maps the letterboxed labels back, which differs only in
     * float rounding.
     */
    public static GroundTruth of(LabeledImage image) {
        float[] rows = image.labels();
        int n = rows.length / 5;
        float[] cxcywh = new float[4 * n];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            classes[i] = (int) rows[5 * i];
            System.arraycopy(rows, 5 * i + 1, cxcywh, 4 * i, 4);
        }
        return fromNormalizedXywh(cxcywh, classes, image.width(), image.height());
    }
}
