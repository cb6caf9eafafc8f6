package io.prunesweep.report;

import io.prunesweep.pipeline.MetricKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dense model of one seed, as the points table knows it: parameters, mAP50 and mAP50-95 from
 * the {@code dense_*} columns of any of its points, GFLOPs and FPS from a λ = 0 point's {@code
 * before_*} columns (there the model going into pruning is the dense one), anything still missing
 * from the dense stage's own result.json when the report could read it. Missing values stay null.
 */
public record DenseBaseline(String denseId, Long seed, ModelMetrics metrics) {

    public Double value(Axis axis) {
        return axis.of(metrics);
    }

    public Double map5095() {
        return metrics.map5095();
    }

    /** One baseline per dense stage with a known mAP50-95, in order of first appearance. */
    public static List<DenseBaseline> of(List<PointRecord> points) {
        return of(points, Map.of());
    }

    /**
     * As {@link #of(List)}, values the tables lack taken from the dense stages' own metrics ({@code
     * after.*} of their result.json, by dense id).
     */
    public static List<DenseBaseline> of(
            List<PointRecord> points, Map<String, Map<String, Double>> denseStages) {
        Map<String, List<PointRecord>> byDense = new LinkedHashMap<>();
        for (PointRecord p : points) {
            if (p.denseId() != null) {
                byDense.computeIfAbsent(p.denseId(), k -> new ArrayList<>()).add(p);
            }
        }
        List<DenseBaseline> out = new ArrayList<>();
        byDense.forEach(
                (id, rows) -> {
                    Map<String, Double> stage = denseStages.getOrDefault(id, Map.of());
                    List<ModelMetrics> denseBefore =
                            rows.stream()
                                    .filter(p -> p.lambdaOrZero() == 0.0)
                                    .map(PointRecord::before)
                                    .toList();
                    Double params =
                            first(
                                    rows.stream().map(PointRecord::denseParams).toList(),
                                    stage,
                                    MetricKeys.PARAMS);
                    Double map =
                            first(
                                    rows.stream().map(PointRecord::denseMap5095).toList(),
                                    stage,
                                    MetricKeys.MAP50_95);
                    Double map50 =
                            first(
                                    rows.stream().map(p -> p.dense().map50()).toList(),
                                    stage,
                                    MetricKeys.MAP50);
                    Double gflops =
                            first(
                                    denseBefore.stream().map(ModelMetrics::gflops).toList(),
                                    stage,
                                    MetricKeys.GFLOPS);
                    Double fps =
                            first(
                                    denseBefore.stream().map(ModelMetrics::fps).toList(),
                                    stage,
                                    MetricKeys.FPS);
                    if (map != null) {
                        out.add(
                                new DenseBaseline(
                                        id,
                                        rows.get(0).seed(),
                                        new ModelMetrics(params, gflops, map50, map, fps, null)));
                    }
                });
        return out;
    }

    /** The first value the tables hold, else the dense stage's {@code after.<metric>}. */
    private static Double first(List<Double> values, Map<String, Double> stage, String metric) {
        Double fallback = stage.get(MetricKeys.after(metric));
        return values.stream()
                .filter(v -> v != null && !v.isNaN())
                .findFirst()
                .orElse(fallback == null || fallback.isNaN() ? null : fallback);
    }
}
