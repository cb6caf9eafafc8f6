package io.prunesweep.eval;

import java.util.Arrays;

/**
 * The detections of one image, as NMS emits them: boxes {@code (x1, y1, x2, y2)} in pixels, a score
 * and a class index per box, in the order given (NMS order: score descending). Flat arrays because
 * an image can hold thousands of boxes before NMS and millions across a validation set.
 *
 * @param boxes {@code 4 * n} floats, box {@code i} at {@code [4i, 4i+4)}
 * @param scores {@code n} scores
 * @param classes {@code n} class indices
 */
public record Detections(float[] boxes, float[] scores, int[] classes) {
    public static final Detections EMPTY = new Detections(new float[0], new float[0], new int[0]);

    public Detections {
        if (boxes.length != 4 * scores.length || classes.length != scores.length) {
            throw new IllegalArgumentException(
                    "detections: "
                            + boxes.length
                            + " box floats, "
                            + scores.length
                            + " scores, "
                            + classes.length
                            + " classes; need 4n, n, n");
        }
    }

    public int size() {
        return scores.length;
    }

    public float x1(int i) {
        return boxes[4 * i];
    }

    public float y1(int i) {
        return boxes[4 * i + 1];
    }

    public float x2(int i) {
        return boxes[4 * i + 2];
    }

    public float y2(int i) {
        return boxes[4 * i + 3];
    }

    /**
     * Box {@code i} as {@code x1, y1, x2, y2, score, class} (the row layout ultralytics prints).
     */
    public float[] row(int i) {
        return new float[] {x1(i), y1(i), x2(i), y2(i), scores[i], classes[i]};
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Detections[");
        for (int i = 0; i < size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(Arrays.toString(row(i)));
        }
        return sb.append(']').toString();
    }
}
