package io.prunesweep.eval;

/**
 * The labelled objects of one image: boxes {@code (x1, y1, x2, y2)} in pixels (the same pixel space as the
 * predictions they are compared with) and a class index per box.
 *
 * @param boxes   {@code 4 * n} floats, box {@code i} at {@code [4i, 4i+4)}
 * @param classes {@code n} class indices
 */
public record GroundTruth(float[] boxes, int[] classes) {
    public static final GroundTruth EMPTY = new GroundTruth(new float[0], new int[0]);

    public GroundTruth {
        if (boxes.length != 4 * classes.length) {
            throw new IllegalArgumentException(
                    "ground truth: " + boxes.length + " box floats for " + classes.length + " classes; need 4n, n");
        }
    }

    public int size() {
        return classes.length;
    }
}
