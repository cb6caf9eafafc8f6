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
     * @param sumSquares ‖target‖² over the sampled rows, the scale the errors are relative to
     */
    public record LayerFit(
            String conv,
            long rows,
            int unknowns,
            double sumSquares,
            double errorBefore,
            double errorAfter) {
        public double relativeBefore() {
            return sumSquares > 0 ? errorBefore / sumSquares : 0;
        }

        public double relativeAfter() {
            return sumSquares > 0 ? errorAfter / sumSquares : 0;
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
                                    return r;
                                })
                        .toList();
        m.put("layers", rows);
        return m;
    }

    public String summary() {
        double[] e = meanRelativeError();
        return String.format(
                Locale.ROOT,
                "reconstructed %d convs on %d images in %.1f s: mean relative output error %.4f -> %.4f",
                layers.size(),
                images,
                seconds,
                e[0],
                e[1]);
    }
}
