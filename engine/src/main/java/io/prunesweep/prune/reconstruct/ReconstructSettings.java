package io.prunesweep.prune.reconstruct;

import io.prunesweep.InputException;

/**
 * How feature-map reconstruction samples and solves.
 *
 * @param calibImages images the least squares are fitted on (the first ones of the training split,
 *     letterboxed)
 * @param batch images per forward pass
 * @param rowsPerUnknown sampled spatial positions per unknown weight of a conv (its {@code in * k *
 *     k + 1}): enough rows for a well-posed fit without holding whole feature maps
 * @param maxRows upper bound on the sampled positions of one conv over all images (memory and solve
 *     time)
 * @param ridge strength of the pull towards the un-refitted weights, relative to the mean diagonal
 *     of {@code XᵀX}; it keeps directions the samples do not constrain where they were
 * @param seed seed of the position sampling
 */
public record ReconstructSettings(
        int calibImages, int batch, int rowsPerUnknown, int maxRows, double ridge, long seed) {

    public static ReconstructSettings defaults() {
        return new ReconstructSettings(64, 8, 4, 8192, 1e-3, 0);
    }

    public ReconstructSettings withCalibImages(int n) {
        return new ReconstructSettings(n, batch, rowsPerUnknown, maxRows, ridge, seed);
    }

    public ReconstructSettings withBatch(int b) {
        return new ReconstructSettings(calibImages, b, rowsPerUnknown, maxRows, ridge, seed);
    }

    public ReconstructSettings validate() {
        if (calibImages < 1) {
            throw new InputException(
                    "--calib-images " + calibImages + " must be at least 1 (64 is a good start)");
        }
        if (batch < 1) {
            throw new InputException("reconstruction batch " + batch + " must be at least 1");
        }
        if (rowsPerUnknown < 1 || maxRows < 1) {
            throw new InputException("reconstruction needs at least one sampled row");
        }
        if (!(ridge > 0)) {
            throw new InputException("reconstruction ridge " + ridge + " must be > 0");
        }
        return this;
    }
}
