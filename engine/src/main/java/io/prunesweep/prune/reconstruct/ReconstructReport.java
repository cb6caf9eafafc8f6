package io.prunesweep.prune.reconstruct;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What reconstruction did: per re-fitted conv the sampled rows and the squared error of its pre-BN
 * output against the original network's, before (un-refitted weights, the pruned network's inputs)
 * and after the fit, both on the sampled positions; and the time it took.
 */
public record ReconstructReport(int images, List<LayerFit> layers, double seconds) {

    /**
     * @param sumSquares ‖target‖² over the rows the errors are measured on, the scale they are
     *     relative to
     * @param errorBefore squared error of the un-refitted weights
     * @param errorAfter squared error of the fit
     * @param heldOut whether both errors are measured on held-out images the fit did not see
     *     (otherwise on the fitted rows)
     * @param ridge the ridge chosen ({@code NaN}: no candidate beat the un-refitted weights on the
     *     held-out images, so they were kept)
     * @param weightNormRatio ‖W‖ / ‖W₀‖ of the filters after / before (an ill-posed fit shows as a
     *     large ratio)
     */
    public record LayerFit(
            String conv,
            long rows,
            int unknowns,
            double sumSquares,
            double errorBefore,
            double errorAfter,
            boolean heldOut,
            double ridge,
            double weightNormRatio) {
        public double relativeBefore() {
            return sumSquares > 0 ? errorBefore / sumSquares : 0;
        }

        public double relativeAfter() {
            return sumSquares > 0 ? errorAfter / sumSquares : 0;
        }

        public boolean kept() {
            return Double.isNaN(ridge);
        }
    }

    /** Mean relative error over the re-fitted convs, before and after. */
    public double[] meanRelativeError() {
        double b = 0;
        double a = 0;
        for (LayerFit f : layers) {
            b += f.relativeBefore();
            a += f.relativeAfter();
        }
        int n = Math.max(1, layers.size());
        return new double[] {b / n, a / n};
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("calib_images", images);
        m.put("seconds", seconds);
        m.put("convs", layers.size());
        double[] e = meanRelativeError();
        m.put("mean_relative_error_before", e[0]);
        m.put("mean_relative_error_after", e[1]);
        m.put("errors_on", heldOut() ? "held-out images" : "fitted rows");
        m.put("kept_unrefitted", layers.stream().filter(LayerFit::kept).count());
        List<Map<String, Object>> rows =
                layers.stream()
                        .map(
                                f -> {
                                    Map<String, Object> r = new LinkedHashMap<>();
                                    r.put("conv", f.conv());
                                    r.put("rows", f.rows());
                                    r.put("unknowns", f.unknowns());
                                    r.put("relative_error_before", f.relativeBefore());
                                    r.put("relative_error_after", f.relativeAfter());
                                    r.put("held_out", f.heldOut());
                                    r.put("ridge", f.kept() ? "kept" : f.ridge());
                                    r.put("weight_norm_ratio", f.weightNormRatio());
                                    return r;
                                })
                        .toList();
        m.put("layers", rows);
        return m;
    }

    /** Whether every fit's errors are measured on held-out images. */
    public boolean heldOut() {
        return !layers.isEmpty() && layers.stream().allMatch(LayerFit::heldOut);
    }

    public String summary() {
        double[] e = meanRelativeError();
        long kept = layers.stream().filter(LayerFit::kept).count();
        return String.format(
                Locale.ROOT,
                "reconstructed %d convs on %d images in %.1f s: mean relative output error %.4f -> %.4f"
                        + " (%s)%s",
                layers.size() - kept,
                images,
                seconds,
                e[0],
                e[1],
                heldOut() ? "on held-out images" : "on the fitted rows",
                kept == 0
                        ? ""
                        : "; "
                                + kept
                                + " kept their weights (no ridge beat them on held-out images)");
    }
}
