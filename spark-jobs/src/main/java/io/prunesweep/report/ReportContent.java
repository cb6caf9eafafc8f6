package io.prunesweep.report;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the page shows, computed once from the tables: the numbers ({@link TradeOffs}), the
 * baselines, the rendered charts, and a note for every chart that could not be drawn (and why).
 */
public record ReportContent(
        String source,
        SweepSummary summary,
        List<DenseBaseline> baselines,
        List<TradeOffs.Recommendation> recommendations,
        Map<Axis, List<PointRecord>> fronts,
        List<Chart> charts,
        List<String> notes,
        List<PointRecord> points) {

    public static ReportContent of(SweepResults results) {
        List<PointRecord> points = results.points();
        List<DenseBaseline> baselines = DenseBaseline.of(points, results.denseStages());
        Map<Axis, List<PointRecord>> fronts = new EnumMap<>(Axis.class);
        List<Chart> charts = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Axis axis : Axis.values()) {
            fronts.put(axis, TradeOffs.paretoFront(points, axis));
            Chart c = TradeOffChart.build(points, baselines, axis);
            if (c == null) {
                notes.add(
                        "mAP50-95 vs "
                                + axis.label()
                                + ": no ok point has both after_map50_95 and after_"
                                + axis.id()
                                + ", nothing to draw.");
            } else {
                charts.add(c);
            }
        }
        charts.addAll(
                SparsityChart.build(
                        points, baselines)); // only when the sweep has unstructured points
        List<Chart> gamma = GammaChart.build(points, results.denseStages());
        if (gamma.isEmpty()) {
            notes.add(
                    "BN |γ| histograms: no point carries before.gamma_hist_0..6 in extra_metrics "
                            + "(the engine that ran this sweep did not report them).");
        }
        charts.addAll(gamma);
        List<Chart> curves = CurveChart.build(results.epochs());
        if (curves.isEmpty()) {
            notes.add("Training curves: the epochs table has no rows with loss or mAP50-95.");
        }
        charts.addAll(curves);
        return new ReportContent(
                results.source(),
                SweepSummary.of(points),
                baselines,
                TradeOffs.recommend(points),
                fronts,
                List.copyOf(charts),
                List.copyOf(notes),
                points);
    }
}
