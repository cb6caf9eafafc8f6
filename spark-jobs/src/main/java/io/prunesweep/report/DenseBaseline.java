package io.prunesweep.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dense model of one seed, as the points table knows it: parameters, mAP50 and mAP50-95 from the
 * {@code dense_*} columns of any of its points, GFLOPs and FPS from a λ = 0 point's {@code before_*}
 * columns (there the model going into pruning is the dense one). Missing values stay null.
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
        Map<String, List<PointRecord>> byDense = new LinkedHashMap<>();
        for (PointRecord p : points) {
            if (p.denseId() != null) {
                byDense.computeIfAbsent(p.denseId(), k -> new ArrayList<>()).add(p);
            }
        }
        List<DenseBaseline> out = new ArrayList<>();
        byDense.forEach((id, rows) -> {
            Double params = first(rows.stream().map(PointRecord::denseParams).toList());
            Double map = first(rows.stream().map(PointRecord::denseMap5095).toList());
            List<ModelMetrics> denseBefore = rows.stream().filter(p -> p.lambdaOrZero() == 0.0)
                    .map(PointRecord::before).toList();
            Double gflops = first(denseBefore.stream().map(ModelMetrics::gflops).toList());
            Double fps = first(denseBefore.stream().map(ModelMetrics::fps).toList());
            Double map50 = first(rows.stream().map(p -> p.dense().map50()).toList());
            if (map != null) {
                out.add(new DenseBaseline(id, rows.get(0).seed(),
                        new ModelMetrics(params, gflops, map50, map, fps, null)));
            }
        });
        return out;
    }

    private static Double first(List<Double> values) {
        return values.stream().filter(v -> v != null && !v.isNaN()).findFirst().orElse(null);
    }
}
