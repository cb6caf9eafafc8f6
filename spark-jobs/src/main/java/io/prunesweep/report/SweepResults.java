package io.prunesweep.report;

import java.util.List;
import java.util.Map;

/**
 * The two tables of a sweep as read by {@link ResultsReader}; {@code source} is the tables URI.
 * {@code denseStages} holds, per dense stage id, the metrics of its {@code result.json} ({@code
 * after.*} = the dense model): the only place the dense model's γ histogram, GFLOPs and FPS live
 * when no point has λ = 0.
 */
public record SweepResults(
        String source,
        List<PointRecord> points,
        List<EpochRecord> epochs,
        Map<String, Map<String, Double>> denseStages) {
    public SweepResults {
        points = List.copyOf(points);
        epochs = List.copyOf(epochs);
        denseStages = Map.copyOf(denseStages);
    }
}
