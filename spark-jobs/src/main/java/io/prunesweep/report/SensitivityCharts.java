package io.prunesweep.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The charts of a sensitivity scan ({@code tables/sensitivity}, written by {@code mode:
 * sensitivity}): a heat map (space x ratio, colour = mAP50-95 change) and the per-space curves, one
 * pair per scanned (seed, lambda, method). Spaces keep the table's order, which is the network's.
 */
final class SensitivityCharts {
    private SensitivityCharts() {}

    /** The spaces drawn in colour on the curves chart (the most sensitive); the rest are grey. */
    static final int COLOURED = 8;

    record Scanned(
            long seed, double lambda, String method, String space, double ratio, double delta) {
        String group() {
            return method + " λ=" + Format.number(lambda) + " seed " + seed;
        }
    }

    /** Rows of {@code <tables>/sensitivity}, or none when the sweep was not a scan. */
    static List<Scanned> read(SparkSession spark, String tablesDir) {
        String dir = tablesDir + "/sensitivity";
        try {
            Configuration conf = spark.sparkContext().hadoopConfiguration();
            Path p = new Path(dir);
            if (!p.getFileSystem(conf).exists(p)) {
                return List.of();
            }
        } catch (java.io.IOException e) {
            return List.of();
        }
        List<Scanned> out = new ArrayList<>();
        for (Row r :
                spark.read()
                        .parquet(dir)
                        .select("seed", "lambda", "method", "space", "ratio", "delta")
                        .collectAsList()) {
            if (r.isNullAt(5)) {
                continue;
            }
            out.add(
                    new Scanned(
                            r.getLong(0),
                            r.getDouble(1),
                            r.getString(2),
                            r.getString(3),
                            r.getDouble(4),
                            r.getDouble(5)));
        }
        return out;
    }

    static List<Chart> build(List<Scanned> rows) {
        Map<String, List<Scanned>> groups = new LinkedHashMap<>();
        rows.forEach(r -> groups.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r));
        List<Chart> charts = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, List<Scanned>> g : groups.entrySet()) {
            charts.add(heatMap(g.getKey(), g.getValue(), i));
            charts.add(curves(g.getKey(), g.getValue(), i));
            i++;
        }
        return charts;
    }

    private static List<String> spaces(List<Scanned> rows) {
        List<String> out = new ArrayList<>();
        rows.forEach(
                r -> {
                    if (!out.contains(r.space())) {
                        out.add(r.space());
                    }
                });
        return out;
    }

    static Chart heatMap(String group, List<Scanned> rows, int index) {
        List<String> spaces = spaces(rows);
        List<Double> ratios =
                new ArrayList<>(new TreeSet<>(rows.stream().map(Scanned::ratio).toList()));
        double[][] xyz = new double[3][rows.size()];
        double worst = 0;
        for (int i = 0; i < rows.size(); i++) {
            Scanned r = rows.get(i);
            xyz[0][i] = ratios.indexOf(r.ratio());
            xyz[1][i] = spaces.size() - 1 - spaces.indexOf(r.space()); // the first space on top
            xyz[2][i] = r.delta();
            worst = Math.min(worst, r.delta());
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("delta", xyz);
        SymbolAxis x =
                new SymbolAxis(
                        "ratio of the space's channels removed",
                        ratios.stream().map(Format::number).toArray(String[]::new));
        List<String> top = new ArrayList<>(spaces);
        java.util.Collections.reverse(top);
        SymbolAxis y = new SymbolAxis("channel space", top.toArray(String[]::new));
        y.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, spaces.size() > 40 ? 8 : 10));
        XYBlockRenderer renderer = new XYBlockRenderer();
        double floor = Math.min(worst, -0.001);
        LookupPaintScale scale = new LookupPaintScale(floor, 0.05, new Color(0x1B, 0x5E, 0x20));
        int steps = 10;
        for (int s = 0; s < steps; s++) {
            double v =
                    floor + (0 - floor) * s / steps; // from the worst drop (dark red) to 0 (white)
            float t = (float) s / steps;
            scale.add(v, new Color(0.55f + 0.45f * t, t, t));
        }
        scale.add(-1e-9, Color.WHITE);
        scale.add(0.0, new Color(0xC8, 0xE6, 0xC9));
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        JFreeChart chart =
                new JFreeChart(
                        "Sensitivity: mAP50-95 change (" + group + ")",
                        ChartImage.TITLE,
                        plot,
                        false);
        NumberAxis scaleAxis = new NumberAxis("mAP50-95 change");
        scaleAxis.setRange(floor, 0.05);
        PaintScaleLegend legend = new PaintScaleLegend(scale, scaleAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        chart.addSubtitle(legend);
        int height = Math.max(ChartImage.HEIGHT, 120 + 14 * spaces.size());
        String caption =
                String.format(
                        Locale.ROOT,
                        "%d spaces x %d ratios, each point the model with only that space "
                                + "pruned, validated without finetuning; red = mAP50-95 lost (worst %+.4f), green = gained",
                        spaces.size(),
                        ratios.size(),
                        worst);
        return ChartImage.render(
                chart, "sensitivity_heatmap_" + index + ".png", caption, ChartImage.WIDTH, height);
    }

    static Chart curves(String group, List<Scanned> rows, int index) {
        List<String> spaces = spaces(rows);
        Map<String, Double> worst = new LinkedHashMap<>();
        rows.forEach(r -> worst.merge(r.space(), r.delta(), Math::min));
        List<String> coloured =
                spaces.stream()
                        .sorted(Comparator.comparingDouble(worst::get))
                        .limit(COLOURED)
                        .toList();
        XYSeriesCollection data = new XYSeriesCollection();
        List<String> order =
                new ArrayList<>(spaces.stream().filter(s -> !coloured.contains(s)).toList());
        order.addAll(coloured); // coloured lines drawn last, on top
        for (String s : order) {
            XYSeries line = new XYSeries(s);
            rows.stream()
                    .filter(r -> r.space().equals(s))
                    .sorted(Comparator.comparingDouble(Scanned::ratio))
                    .forEach(r -> line.add(r.ratio(), r.delta()));
            data.addSeries(line);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < order.size(); i++) {
            boolean c = coloured.contains(order.get(i));
            int k = coloured.indexOf(order.get(i));
            renderer.setSeriesPaint(
                    i,
                    c ? Color.getHSBColor(k / (float) COLOURED, 0.8f, 0.75f) : new Color(0xBDBDBD));
            renderer.setSeriesStroke(i, new BasicStroke(c ? 1.6f : 0.8f));
            renderer.setSeriesShapesVisible(i, c);
            renderer.setSeriesVisibleInLegend(i, c);
        }
        NumberAxis x = new NumberAxis("ratio of the space's channels removed");
        NumberAxis y = new NumberAxis("mAP50-95 change");
        y.setAutoRangeIncludesZero(true);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        JFreeChart chart =
                new JFreeChart("Per-space curves (" + group + ")", ChartImage.TITLE, plot, true);
        String caption =
                spaces.size()
                        + " spaces; the "
                        + coloured.size()
                        + " with the largest drop are coloured, the others grey";
        return ChartImage.render(
                chart,
                "sensitivity_curves_" + index + ".png",
                caption,
                ChartImage.WIDTH,
                ChartImage.HEIGHT + 40);
    }
}
