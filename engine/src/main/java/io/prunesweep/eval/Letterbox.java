package io.prunesweep.eval;

/**
 * The letterbox geometry between an original image and the network input, and the mapping of boxes back to
 * original pixels (ultralytics {@code scale_boxes}: subtract the pad, divide by the gain, clip to the image).
 *
 * @param gain input pixels per original pixel
 * @param padX left padding in input pixels
 * @param padY top padding in input pixels
 */
public record Letterbox(double gain, double padX, double padY) {

    public Letterbox {
        if (!(gain > 0) || !Double.isFinite(gain)) {
            throw new IllegalArgumentException("letterbox gain must be positive, got " + gain);
        }
    }

    /**
     * The geometry ultralytics infers when no ratio/pad was recorded: gain {@code min(inH/origH, inW/origW)},
     * pad {@code round((in - orig * gain) / 2 - 0.1)} with Python's half-to-even rounding.
     */
    public static Letterbox fromShapes(int inputH, int inputW, int originalH, int originalW) {
        double gain = Math.min((double) inputH / originalH, (double) inputW / originalW);
        // Python's round() returns an int: + 0.0 turns rint's -0.0 into 0
        double padX = Math.rint((inputW - originalW * gain) / 2 - 0.1) + 0.0;
        double padY = Math.rint((inputH - originalH * gain) / 2 - 0.1) + 0.0;
        return new Letterbox(gain, padX, padY);
    }

    /** Boxes {@code x1, y1, x2, y2} ({@code 4n} floats) from input pixels to original pixels, clipped. */
    public float[] toOriginal(float[] boxes, int originalH, int originalW) {
        float g = (float) gain;
        float px = (float) padX;
        float py = (float) padY;
        float[] out = new float[boxes.length];
        for (int i = 0; i < boxes.length; i += 4) {
            out[i] = clip((boxes[i] - px) / g, originalW);
            out[i + 1] = clip((boxes[i + 1] - py) / g, originalH);
            out[i + 2] = clip((boxes[i + 2] - px) / g, originalW);
            out[i + 3] = clip((boxes[i + 3] - py) / g, originalH);
        }
        return out;
    }

    /** The same detections with their boxes mapped to original pixels. */
    public Detections toOriginal(Detections d, int originalH, int originalW) {
        return new Detections(toOriginal(d.boxes(), originalH, originalW), d.scores(), d.classes());
    }

    private static float clip(float v, int max) {
        return Math.min(Math.max(v, 0f), (float) max);
    }
}
