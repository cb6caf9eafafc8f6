package io.prunesweep.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * BN |γ| distributions of the models going into pruning: the dense model (λ = 0 points) and the
 * sparse model of each λ. Each model is counted once (points share their dense and sparse stages),
 * its counts are turned into shares of all its BN channels, and models of the same λ (several
 * seeds) are averaged.
 */
public final class GammaHistograms {
    private GammaHistograms() {}

    /** Bin labels for the engine's edges 1e-4, 1e-3, 1e-2, 0.1, 1, 10. */
    public static final List<String> BIN_LABELS =
            List.of(
                    "< 1e-4",
                    "1e-4 – 1e-3",
                    "1e-3 – 0.01",
                    "0.01 – 0.1",
                    "0.1 – 1",
                    "1 – 10",
                    "≥ 10");

    /** The averaged distribution of one λ (0 = dense); {@code share} sums to 1. */
    public record Distribution(double lambda, double[] share, int models, Double meanAbs) {}

    /** The dense distribution, or null when no λ = 0 point carries a histogram. */
    public static Distribution dense(List<PointRecord> points) {
        return dense(points, Map.of());
    }

    /**
     * The dense distribution from the λ = 0 points, or else from the dense stages' own metrics
     * ({@code after.gamma_hist_*} of their result.json: a sweep without λ = 0 has no dense row to
     * carry it).
     */
    public static Distribution dense(
            List<PointRecord> points, Map<String, Map<String, Double>> denseStages) {
        List<PointRecord> dense = points.stream().filter(p -> p.lambdaOrZero() == 0.0).toList();
        Distribution fromPoints = average(0.0, distinctBy(dense, PointRecord::denseId));
        if (fromPoints != null) {
            return fromPoints;
        }
        List<Model> stages = new ArrayList<>();
        new TreeMap<>(denseStages)
                .forEach(
                        (id, metrics) -> {
                            double[] counts = PointRecord.gammaHistogram(metrics, "after.");
                            if (counts != null) {
                                stages.add(
                                        new Model(
                                                counts,
                                                metrics.get(
                                                        "after." + PointRecord.GAMMA_MEAN_ABS)));
                            }
                        });
        return averageModels(0.0, stages);
    }

    /**
     * The sparse distribution per λ > 0, ascending λ; λ values without any histogram are left out.
     */
    public static Map<Double, Distribution> sparseByLambda(List<PointRecord> points) {
        Map<Double, List<PointRecord>> byLambda = new TreeMap<>();
        for (PointRecord p : points) {
            if (p.lambdaOrZero() > 0) {
                byLambda.computeIfAbsent(p.lambdaOrZero(), k -> new ArrayList<>()).add(p);
            }
        }
        Map<Double, Distribution> out = new LinkedHashMap<>();
        byLambda.forEach(
                (lambda, rows) -> {
                    Distribution d = average(lambda, distinctBy(rows, PointRecord::sparseId));
                    if (d != null) {
                        out.put(lambda, d);
                    }
                });
        return out;
    }

    /**
     * First point with a histogram per model id (rows without an id each count as their own model).
     */
    private static List<PointRecord> distinctBy(
            List<PointRecord> rows, Function<PointRecord, String> modelId) {
        Map<Object, PointRecord> byModel = new LinkedHashMap<>();
        for (PointRecord p : rows) {
            if (p.gammaHistogram() != null) {
                Object key = modelId.apply(p) == null ? p : modelId.apply(p);
                byModel.putIfAbsent(key, p);
            }
        }
        return new ArrayList<>(byModel.values());
    }

    /** One model's histogram counts and mean |γ| (may be null). */
    private record Model(double[] counts, Double meanAbs) {}

    private static Distribution average(double lambda, List<PointRecord> models) {
        return averageModels(
                lambda,
                models.stream().map(p -> new Model(p.gammaHistogram(), p.gammaMeanAbs())).toList());
    }

    private static Distribution averageModels(double lambda, List<Model> models) {
        double[] share = new double[PointRecord.GAMMA_BINS];
        int n = 0;
        double meanAbs = 0;
        int meanAbsCount = 0;
        for (Model p : models) {
            double[] counts = p.counts();
            double total = 0;
            for (double c : counts) {
                total += c;
            }
            if (total <= 0) {
                continue;
            }
            for (int i = 0; i < share.length; i++) {
                share[i] += counts[i] / total;
            }
            n++;
            if (p.meanAbs() != null && !p.meanAbs().isNaN()) {
                meanAbs += p.meanAbs();
                meanAbsCount++;
            }
        }
        if (n == 0) {
            return null;
        }
        for (int i = 0; i < share.length; i++) {
            share[i] /= n;
        }
        return new Distribution(
                lambda, share, n, meanAbsCount == 0 ? null : meanAbs / meanAbsCount);
    }
}
