package io.prunesweep.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.text.DecimalFormat;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * mAP50-95 against a cost ({@link Axis}): one line per (method, λ) through its ratios, the Pareto
 * front drawn over them, the dense baseline as a marked point and a dashed level.
 */
final class TradeOffChart {
    private TradeOffChart() {}

    private static final Color FRONT = new Color(0x11, 0x11, 0x11);
    private static final Color BASELINE = new Color(0xC6, 0x28, 0x28);

    /** The chart, or null when no ok point has both mAP50-95 and a value on {@code axis}. */
    static Chart build(List<PointRecord> points, List<DenseBaseline> baselines, Axis axis) {
        List<PointRecord> measured = TradeOffs.measured(points, axis);
        if (measured.isEmpty()) {
            return null;
        }
        double unit = unit(axis, measured, baselines);
        String unitName = unit == 1e6 ? " (millions)" : unit == 1e3 ? " (thousands)" : "";

        XYSeriesCollection curves = new XYSeriesCollection();
        Map<String, XYSeries> bySetting = new LinkedHashMap<>();
        Map<String, PointRecord> seriesKeys = new LinkedHashMap<>();
        measured.stream()
                .sorted(
                        Comparator.comparing((PointRecord p) -> String.valueOf(p.method()))
                                .thenComparingDouble(PointRecord::lambdaOrZero))
                .forEach(
                        p -> {
                            String key = p.method() + " λ=" + Format.number(p.lambdaOrZero());
                            seriesKeys.putIfAbsent(key, p);
                            bySetting
                                    .computeIfAbsent(key, k -> new XYSeries(k, true, true))
                                    .add(axis.of(p.after()) / unit, p.after().map5095());
                        });
        bySetting.values().forEach(curves::addSeries);

        XYSeries front = new XYSeries("Pareto front", false, true);
        for (PointRecord p : TradeOffs.paretoFront(points, axis)) {
            front.add(axis.of(p.after()) / unit, p.after().map5095());
        }
        XYSeries dense = new XYSeries("dense baseline", false, true);
        for (DenseBaseline b : baselines) {
            if (b.value(axis) != null) {
                dense.add(b.value(axis) / unit, b.map5095());
            }
        }

        NumberAxis x = new NumberAxis(axis.label() + unitName);
        x.setAutoRangeIncludesZero(false);
        NumberAxis y = new NumberAxis("mAP50-95");
        y.setAutoRangeIncludesZero(false);
        y.setNumberFormatOverride(new DecimalFormat("0.000"));

        List<Double> lambdas =
                measured.stream().map(PointRecord::lambdaOrZero).distinct().sorted().toList();
        XYLineAndShapeRenderer curveRenderer = new XYLineAndShapeRenderer(true, true);
        int i = 0;
        for (PointRecord key : seriesKeys.values()) {
            curveRenderer.setSeriesStroke(i, new BasicStroke(1.4f));
            curveRenderer.setSeriesPaint(
                    i,
                    SeriesStyle.colour(
                            key.method(), lambdas.indexOf(key.lambdaOrZero()), lambdas.size()));
            curveRenderer.setSeriesShape(i, SeriesStyle.marker(key.method()));
            i++;
        }
        XYPlot plot = new XYPlot(curves, x, y, curveRenderer);

        XYLineAndShapeRenderer frontRenderer = new XYLineAndShapeRenderer(true, true);
        frontRenderer.setSeriesPaint(0, FRONT);
        frontRenderer.setSeriesStroke(
                0,
                new BasicStroke(
                        2.2f,
                        BasicStroke.CAP_ROUND,
                        BasicStroke.JOIN_ROUND,
                        1f,
                        new float[] {7f, 4f},
                        0f));
        frontRenderer.setSeriesShape(0, new Ellipse2D.Double(-7, -7, 14, 14));
        frontRenderer.setSeriesShapesFilled(0, false);
        plot.setDataset(1, new XYSeriesCollection(front));
        plot.setRenderer(1, frontRenderer);

        XYLineAndShapeRenderer denseRenderer = new XYLineAndShapeRenderer(false, true);
        denseRenderer.setSeriesPaint(0, BASELINE);
        denseRenderer.setSeriesShape(0, star(8));
        plot.setDataset(2, new XYSeriesCollection(dense));
        plot.setRenderer(2, denseRenderer);
        // Dataset 0 first, the front and the baseline on top of the curves.
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);

        Set<Double> levels = new LinkedHashSet<>();
        baselines.forEach(b -> levels.add(b.map5095()));
        for (double level : levels) {
            ValueMarker m =
                    new ValueMarker(
                            level,
                            BASELINE,
                            new BasicStroke(
                                    1f,
                                    BasicStroke.CAP_BUTT,
                                    BasicStroke.JOIN_MITER,
                                    1f,
                                    new float[] {4f, 4f},
                                    0f));
            m.setLabel("dense " + Format.fixed(level, 3));
            m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            m.setLabelPaint(BASELINE);
            m.setLabelBackgroundColor(new Color(255, 255, 255, 0));
            m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
            plot.addRangeMarker(m);
        }
        // Keep the dense level in view even when every pruned point lies far below it.
        double lo = measured.stream().mapToDouble(p -> p.after().map5095()).min().orElse(0);
        double hi = measured.stream().mapToDouble(p -> p.after().map5095()).max().orElse(1);
        for (double level : levels) {
            lo = Math.min(lo, level);
            hi = Math.max(hi, level);
        }
        double pad = Math.max((hi - lo) * 0.08, 0.005);
        y.setRange(lo - pad, hi + pad);

        String title = "mAP50-95 vs " + axis.label();
        JFreeChart chart = new JFreeChart(title, ChartImage.TITLE, plot, true);
        String caption =
                measured.size()
                        + " ok points in "
                        + bySetting.size()
                        + " (method, λ) series (colour and "
                        + "marker: method; darker: stronger λ); "
                        + front.getItemCount()
                        + " on the Pareto front ("
                        + (axis.lowerIsBetter() ? "fewest " + axis.label() : "most " + axis.label())
                        + " for a given mAP50-95)"
                        + (dense.getItemCount() == 0
                                ? "; dense " + axis.label() + " not recorded, only its mAP level"
                                : "");
        return ChartImage.render(
                chart,
                "map_vs_" + axis.id() + ".png",
                caption,
                ChartImage.WIDTH,
                ChartImage.HEIGHT + 40);
    }

    /** Millions or thousands for large counts, so tick labels stay short. */
    private static double unit(
            Axis axis, List<PointRecord> measured, List<DenseBaseline> baselines) {
        if (axis != Axis.PARAMS) {
            return 1;
        }
        double max = measured.stream().mapToDouble(p -> axis.of(p.after())).max().orElse(0);
        for (DenseBaseline b : baselines) {
            if (b.value(axis) != null) {
                max = Math.max(max, b.value(axis));
            }
        }
        return max >= 1e6 ? 1e6 : max >= 1e4 ? 1e3 : 1;
    }

    private static Path2D star(double r) {
        Path2D.Double s = new Path2D.Double();
        for (int i = 0; i < 10; i++) {
            double a = Math.PI / 2 + i * Math.PI / 5;
            double rr = i % 2 == 0 ? r : r * 0.45;
            double px = rr * Math.cos(a);
            double py = -rr * Math.sin(a);
            if (i == 0) {
                s.moveTo(px, py);
            } else {
                s.lineTo(px, py);
            }
        }
        s.closePath();
        return s;
    }
}
