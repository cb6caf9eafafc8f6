package io.prunesweep.eval;

import io.prunesweep.InputException;

/**
 * How {@link Validator} runs a model over a split.
 *
 * @param imgsz square network input size; images are letterboxed into it (no upscaling)
 * @param batch images per forward pass
 * @param workers loader threads
 * @param nms NMS settings; ultralytics validates with {@link NmsConfig#VALIDATION}
 */
public record ValidationSettings(int imgsz, int batch, int workers, NmsConfig nms) {

    public ValidationSettings {
        if (imgsz < 32) {
            throw new InputException("val: --imgsz must be at least 32, got " + imgsz);
        }
        if (batch < 1) {
            throw new InputException("val: --batch must be at least 1, got " + batch);
        }
        if (workers < 1) {
            throw new InputException("val: --workers must be at least 1, got " + workers);
        }
    }

    /** ultralytics' validation defaults at the given size. */
    public static ValidationSettings of(int imgsz, int batch, int workers) {
        return new ValidationSettings(imgsz, batch, workers, NmsConfig.VALIDATION);
    }
}
