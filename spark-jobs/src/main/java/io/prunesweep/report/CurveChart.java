package io.prunesweep.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Training curves of one stage kind (dense, sparse, prune_finetune): total loss and mAP50-95
 * against epoch, one line per stage run (and phase), sharing the epoch axis.
 */
final class CurveChart {
    private CurveChart() {}

    /** Legends beyond this many runs would bury the plot; the caption then gives the count. */
    static final int MAX_LEGEND_ITEMS = 12;

    static final List<String> STAGES = List.of("dense", "sparse", "prune_finetune");
    private static final Color[] SEED_COLOURS = {
        new Color(0x15, 0x65, 0xC0),
        new Color(0xC6, 0x28, 0x28),
        new Color(0x2E, 0x7D, 0x32),
        new Color(0x6A, 0x1B, 0x9A),
        new Color(0xE6, 0x51, 0x00)
    };

    static List<Chart> build(List<EpochRecord> epochs) {
        List<Chart> charts = new ArrayList<>();
        for (String stage : STAGES) {
            List<EpochRecord> rows =
                    epochs.stream()
                            .filter(e -> stage.equals(e.stage()) && e.epoch() != null)
                            .toList();
            Chart c = rows.isEmpty() ? null : chart(stage, rows);
            if (c != null) {
                charts.add(c);
            }
        }
        return charts;
    }

    private static Chart chart(String stage, List<EpochRecord> rows) {
        boolean manySeeds = rows.stream().map(EpochRecord::seed).distinct().count() > 1;
        Map<String, List<EpochRecord>> runs = new LinkedHashMap<>();
        for (EpochRecord e : rows) {
            runs.computeIfAbsent(e.stageId() + "\u0000" + e.phase(), k -> new ArrayList<>()).add(e);
        }
        List<Double> lambdas =
                rows.stream()
                        .map(e -> e.lambda() == null ? 0.0 : e.lambda())
                        .distinct()
                        .sorted()
                        .toList();
        List<Color> colours = new ArrayList<>();
        XYSeriesCollection loss = new XYSeriesCollection();
        XYSeriesCollection map = new XYSeriesCollection();
        Set<String> labels = new HashSet<>();
        for (List<EpochRecord> run : runs.values()) {
            EpochRecord first = run.get(0);
            String label = label(stage, first, manySeeds);
            if (!labels.add(label)) {
                label = label + " (" + first.stageId() + ")";
                labels.add(label);
            }
            XYSeries l = new XYSeries(label, true, true);
            XYSeries m = new XYSeries(label, true, true);
            for (EpochRecord e : run) {
                if (e.totalLoss() != null) {
                    l.add(e.epoch().doubleValue(), e.totalLoss());
                }
                if (e.map5095() != null && !e.map5095().isNaN()) {
                    m.add(e.epoch().doubleValue(), e.map5095());
                }
            }
            // Same series order in both plots, so one legend and one colour per run serve both.
            loss.addSeries(l);
            map.addSeries(m);
            colours.add(
                    stage.equals("dense")
                            ? SEED_COLOURS[colours.size() % SEED_COLOURS.length]
                            : SeriesStyle.colour(
                                    stage.equals("sparse") ? "bn" : first.method(),
                                    lambdas.indexOf(first.lambda() == null ? 0.0 : first.lambda()),
                                    lambdas.size()));
        }
        if (loss.getSeries().stream().allMatch(s -> ((XYSeries) s).isEmpty())
                && map.getSeries().stream().allMatch(s -> ((XYSeries) s).isEmpty())) {
            return null;
        }
        NumberAxis epochAxis = new NumberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis);
        plot.setGap(12);
        plot.add(subplot(loss, "loss (box+cls+dfl)", colours, true), 1);
        plot.add(subplot(map, "mAP50-95", colours, false), 1);
        boolean legend = runs.size() <= MAX_LEGEND_ITEMS;
        JFreeChart chart =
                new JFreeChart("Training curves: " + stage, ChartImage.TITLE, plot, legend);
        String caption =
                runs.size()
                        + (runs.size() == 1 ? " run" : " runs")
                        + " of the "
                        + stage
                        + " stage"
                        + (stage.equals("dense")
                                ? ""
                                : "; colour: method (sparse: λ only), darker: stronger λ")
                        + (legend
                                ? ""
                                : " (legend left out: more than " + MAX_LEGEND_ITEMS + " runs)");
        return ChartImage.render(
                chart,
                "curves_" + stage + ".png",
                caption,
                ChartImage.WIDTH,
                ChartImage.HEIGHT + 80);
    }

    /**
     * Colours are set per series: the two subplots would otherwise draw different colours for one
     * run from their shared sequence. Dense runs (seeds) take the default palette, later stages the
     * method/λ style.
     */
    private static XYPlot subplot(
            XYSeriesCollection data, String label, List<Color> colours, boolean inLegend) {
        NumberAxis y = new NumberAxis(label);
        y.setAutoRangeIncludesZero(false);
        // A flat curve (mAP 0 after a one-epoch smoke run) would otherwise get a 1e-8 wide axis.
        y.setAutoRangeMinimumSize(0.01);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setDefaultSeriesVisibleInLegend(inLegend);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesStroke(i, new BasicStroke(1.3f));
            r.setSeriesPaint(i, colours.get(i));
        }
        return new XYPlot(data, null, y, r);
    }

    private static String label(String stage, EpochRecord e, boolean withSeed) {
        String seed = withSeed ? " seed " + e.seed() : "";
        String phase =
                e.phase() == null
                                || Objects.equals(e.phase(), stage)
                                || (stage.equals("prune_finetune") && e.phase().equals("finetune"))
                        ? ""
                        : " [" + e.phase() + "]";
        return switch (stage) {
            case "dense" -> "dense" + seed + phase;
            case "sparse" -> "λ=" + Format.number(e.lambda()) + seed + phase;
            default ->
                    e.method()
                            + " λ="
                            + Format.number(e.lambda())
                            + " r="
                            + Format.number(e.ratio())
                            + seed
                            + phase;
        };
    }
}
