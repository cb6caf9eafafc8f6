package io.prunesweep.data;

/**
 * Training augmentation hyperparameters, named and defaulted as in ultralytics' {@code
 * default.yaml}.
 *
 * @param hsvH hue gain (fraction)
 * @param hsvS saturation gain (fraction)
 * @param hsvV value gain (fraction)
 * @param degrees rotation range (+/- deg)
 * @param translate translation (+/- fraction)
 * @param scale scale gain (+/-)
 * @param shear shear (+/- deg)
 * @param perspective perspective (+/- fraction)
 * @param flipud vertical flip probability
 * @param fliplr horizontal flip probability
 * @param mosaic mosaic probability
 * @param closeMosaic mosaic is off for the last this many epochs
 */
public record AugmentConfig(
        double hsvH,
        double hsvS,
        double hsvV,
        double degrees,
        double translate,
        double scale,
        double shear,
        double perspective,
        double flipud,
        double fliplr,
        double mosaic,
        int closeMosaic) {

    public static AugmentConfig defaults() {
        return new AugmentConfig(0.015, 0.7, 0.4, 0.0, 0.1, 0.5, 0.0, 0.0, 0.0, 0.5, 1.0, 10);
    }

    /**
     * No randomness at all: letterbox only (useful for tests and for training without
     * augmentation).
     */
    public static AugmentConfig none() {
        return new AugmentConfig(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    public AugmentConfig withMosaic(double p) {
        return new AugmentConfig(
                hsvH,
                hsvS,
                hsvV,
                degrees,
                translate,
                scale,
                shear,
                perspective,
                flipud,
                fliplr,
                p,
                closeMosaic);
    }

    public AugmentConfig withCloseMosaic(int epochs) {
        return new AugmentConfig(
                hsvH,
                hsvS,
                hsvV,
                degrees,
                translate,
                scale,
                shear,
                perspective,
                flipud,
                fliplr,
                mosaic,
                epochs);
    }

    /**
     * ultralytics switches mosaic off at {@code epoch == epochs - close_mosaic} (0-based) and keeps
     * it off.
     */
    public boolean mosaicOn(int epoch, int epochs) {
        return mosaic > 0 && !(closeMosaic > 0 && epochs > 0 && epoch >= epochs - closeMosaic);
    }
}
