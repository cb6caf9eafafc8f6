package io.prunesweep.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Structured versus unstructured pruning at equal sparsity: mAP50-95 against the nonzero parameters
 * (what the sparsity is), and against the measured FPS (what it buys). One line per method (and per
 * method with reconstruction) through its ratios. Structured points move left <em>and</em>
 * right-to-faster; unstructured points move left only, their FPS stays the dense model's, because
 * dense kernels multiply the zeros too. Drawn only when the sweep has both kinds.
 */
final class SparsityChart {
    private SparsityChart() {}

    private static final Color DENSE = new Color(0xC6, 0x28, 0x28);

    static List<Chart> build(List<PointRecord> points, List<DenseBaseline> baselines) {
        List<PointRecord> ok =
                points.stream().filter(p -> p.ok() && p.after().map5095() != null).toList();
        boolean anyUnstructured = ok.stream().anyMatch(PointRecord::unstructured);
        boolean anyStructured = ok.stream().anyMatch(p -> !p.unstructured());
        if (!anyUnstructured || !anyStructured) {
            return List.of();
        }
        List<Chart> out = new ArrayList<>();
        Chart params =
                chart(
                        ok,
                        baselines,
                        "nonzero parameters (millions)",
                        m -> scaled(m.nonzeroOrParams()),
                        "map_vs_nonzero_params.png",
                        "mAP50-95 vs nonzero parameters: structured vs unstructured",
                        "Equal sparsity: unstructured pruning reaches a nonzero count with zeros inside dense tensors, "
                                + "structured pruning by removing whole channels (dense baseline: red star).");
        Chart fps =
                chart(
                        ok,
                        baselines,
                        "frames per second (batch 1, measured)",
                        ModelMetrics::fps,
                        "map_vs_fps_sparsity.png",
                        "mAP50-95 vs FPS: structured vs unstructured",
                        "Only structured pruning speeds inference up: an unstructured model is the dense network with zeros, "
                                + "computed by the same dense kernels, so its FPS stays at the dense model's.");
        if (params != null) {
            out.add(params);
        }
        if (fps != null) {
            out.add(fps);
        }
        return out;
    }

    private static Double scaled(Double v) {
        return v == null ? null : v / 1e6;
    }

    private static Chart chart(
            List<PointRecord> ok,
            List<DenseBaseline> baselines,
            String xLabel,
            Function<ModelMetrics, Double> x,
            String file,
            String title,
            String caption) {
        Map<String, XYSeries> series = new LinkedHashMap<>();
        Map<String, String> methodOf = new LinkedHashMap<>();
        int drawn = 0;
        for (PointRecord p :
                ok.stream().sorted(Comparator.comparing(SparsityChart::key)).toList()) {
            Double v = x.apply(p.after());
            if (v == null || v.isNaN()) {
                continue;
            }
            series.computeIfAbsent(key(p), k -> new XYSeries(k, true, true))
                    .add(v.doubleValue(), p.after().map5095());
            methodOf.putIfAbsent(key(p), p.method());
            drawn++;
        }
        if (drawn == 0) {
            return null;
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        int i = 0;
        for (Map.Entry<String, String> e : methodOf.entrySet()) {
            boolean reconstructed = e.getKey().endsWith("+ reconstruct");
            r.setSeriesPaint(i, SeriesStyle.colour(e.getValue(), reconstructed ? 1 : 0, 2));
            r.setSeriesShape(i, SeriesStyle.marker(e.getValue()));
            r.setSeriesStroke(
                    i,
                    reconstructed
                            ? new BasicStroke(
                                    1.4f,
                                    BasicStroke.CAP_BUTT,
                                    BasicStroke.JOIN_MITER,
                                    1f,
                                    new float[] {5f, 3f},
                                    0f)
                            : new BasicStroke(1.6f));
            i++;
        }
        NumberAxis xa = new NumberAxis(xLabel);
        xa.setAutoRangeIncludesZero(false);
        NumberAxis ya = new NumberAxis("mAP50-95");
        ya.setAutoRangeIncludesZero(false);
        ya.setNumberFormatOverride(new DecimalFormat("0.000"));
        XYPlot plot = new XYPlot(data, xa, ya, r);
        XYSeries dense = new XYSeries("dense baseline", false, true);
        for (DenseBaseline b : baselines) {
            Double v = x.apply(b.metrics());
            if (v != null && b.map5095() != null) {
                dense.add(v.doubleValue(), b.map5095());
            }
        }
        if (dense.getItemCount() > 0) {
            XYLineAndShapeRenderer d = new XYLineAndShapeRenderer(false, true);
            d.setSeriesPaint(0, DENSE);
            d.setSeriesShape(0, new Ellipse2D.Double(-6, -6, 12, 12));
            plot.setDataset(1, new XYSeriesCollection(dense));
            plot.setRenderer(1, d);
        }
        JFreeChart chart = new JFreeChart(title, ChartImage.TITLE, plot, true);
        return ChartImage.render(
                chart,
                file,
                caption + " " + drawn + " ok points in " + series.size() + " series.",
                ChartImage.WIDTH,
                ChartImage.HEIGHT + 40);
    }

    /** Series key: the method, "+ reconstruct" for re-fitted points; λ when it is not 0. */
    private static String key(PointRecord p) {
        String lambda = p.lambdaOrZero() == 0 ? "" : " λ=" + Format.number(p.lambdaOrZero());
        return p.method() + lambda + (p.reconstruct() ? " + reconstruct" : "");
    }
}
