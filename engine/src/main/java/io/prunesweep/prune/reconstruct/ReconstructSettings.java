package io.prunesweep.prune.reconstruct;

import io.prunesweep.InputException;
import java.util.List;

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
 * @param ridges candidate strengths of the pull towards the un-refitted weights, each relative to
 *     the mean diagonal of {@code XᵀX}. Each conv takes the one whose fit has the smallest error on
 *     the held-out images, or keeps its un-refitted weights when none beats them there; without
 *     held-out images (fewer than {@code holdoutEvery}) the largest is used. A ridge keeps
 *     directions the samples hardly constrain where they were, so the fit does not lean on
 *     correlations of the calibration images that other images break.
 * @param holdoutEvery every this-many-th calibration image is held out of the fit and scores the
 *     candidate ridges
 * @param targetBudgetBytes host memory for the original network's sampled outputs: the original
 *     runs once per batch for as many consecutive convs as fit in it
 * @param seed seed of the position sampling
 */
public record ReconstructSettings(
        int calibImages,
        int batch,
        int rowsPerUnknown,
        int maxRows,
        List<Double> ridges,
        int holdoutEvery,
        long targetBudgetBytes,
        long seed) {

    public ReconstructSettings {
        ridges = List.copyOf(ridges);
    }

    public static ReconstructSettings defaults() {
        return new ReconstructSettings(
                64, 8, 8, 16384, List.of(1e-4, 1e-3, 1e-2, 1e-1, 1.0), 5, 256L << 20, 0);
    }

    public ReconstructSettings withCalibImages(int n) {
        return new ReconstructSettings(
                n, batch, rowsPerUnknown, maxRows, ridges, holdoutEvery, targetBudgetBytes, seed);
    }

    public ReconstructSettings withBatch(int b) {
        return new ReconstructSettings(
                calibImages,
                b,
                rowsPerUnknown,
                maxRows,
                ridges,
                holdoutEvery,
                targetBudgetBytes,
                seed);
    }

    public ReconstructSettings withRidges(List<Double> r) {
        return new ReconstructSettings(
                calibImages,
                batch,
                rowsPerUnknown,
                maxRows,
                r,
                holdoutEvery,
                targetBudgetBytes,
                seed);
    }

    /** Whether calibration image {@code index} (in dataset order) scores the ridges. */
    boolean heldOut(int index, int images) {
        return images >= holdoutEvery && index % holdoutEvery == holdoutEvery - 1;
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
        if (ridges.isEmpty() || ridges.stream().anyMatch(r -> !(r > 0) || r.isInfinite())) {
            throw new InputException(
                    "reconstruction ridges "
                            + ridges
                            + " must be finite and > 0 (e.g. [1e-3, 1e-2])");
        }
        if (holdoutEvery < 2) {
            throw new InputException(
                    "reconstruction holds out every n-th image: n="
                            + holdoutEvery
                            + " must be >= 2");
        }
        return this;
    }
}
