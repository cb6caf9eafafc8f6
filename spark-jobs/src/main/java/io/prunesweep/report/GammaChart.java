package io.prunesweep.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * BN |γ| histograms of the models going into pruning: per λ > 0 one chart of the dense model
 * against the sparse one, so the push of the L1 term towards zero is visible bin by bin.
 */
final class GammaChart {
    private GammaChart() {}

    private static final Color DENSE = new Color(0x90, 0xA4, 0xAE);
    private static final Color SPARSE = new Color(0x1E, 0x88, 0xE5);

    /**
     * One chart per λ > 0 (or one dense-only chart when the sweep has no sparse stage); empty when
     * no data.
     */
    static List<Chart> build(
            List<PointRecord> points, Map<String, Map<String, Double>> denseStages) {
        GammaHistograms.Distribution dense = GammaHistograms.dense(points, denseStages);
        Map<Double, GammaHistograms.Distribution> sparse = GammaHistograms.sparseByLambda(points);
        List<Chart> charts = new ArrayList<>();
        if (sparse.isEmpty() && dense != null) {
            charts.add(chart(dense, null, "gamma_dense.png"));
        }
        sparse.forEach(
                (lambda, d) ->
                        charts.add(
                                chart(dense, d, "gamma_lambda_" + Format.number(lambda) + ".png")));
        return charts;
    }

    private static Chart chart(
            GammaHistograms.Distribution dense, GammaHistograms.Distribution sparse, String file) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        StringBuilder caption = new StringBuilder("share of BN channels per |γ| bin");
        if (dense != null) {
            add(data, "dense", dense);
            caption.append("; dense: ").append(describe(dense));
        }
        if (sparse != null) {
            add(data, "sparse λ=" + Format.number(sparse.lambda()), sparse);
            caption.append("; sparse: ").append(describe(sparse));
        } else {
            caption.append("; no sparse stage in this sweep");
        }
        if (dense == null) {
            caption.append(
                    "; no dense histogram (no λ = 0 point and no readable dense result.json carries one)");
        }
        String title =
                sparse == null
                        ? "BN |γ| of the dense model"
                        : "BN |γ|: dense vs sparse λ=" + Format.number(sparse.lambda());
        JFreeChart chart =
                ChartFactory.createBarChart(
                        title,
                        "|γ|",
                        "share of BN channels (%)",
                        data,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.05);
        int series = 0;
        if (dense != null) {
            r.setSeriesPaint(series++, DENSE);
        }
        r.setSeriesPaint(series, SPARSE);
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        plot.getDomainAxis().setMaximumCategoryLabelLines(2);
        return ChartImage.render(
                chart, file, caption.toString(), ChartImage.WIDTH, ChartImage.HEIGHT);
    }

    private static void add(
            DefaultCategoryDataset data, String series, GammaHistograms.Distribution d) {
        for (int i = 0; i < d.share().length; i++) {
            data.addValue(100 * d.share()[i], series, GammaHistograms.BIN_LABELS.get(i));
        }
    }

    private static String describe(GammaHistograms.Distribution d) {
        return d.models()
                + (d.models() == 1 ? " model" : " models (averaged)")
                + (d.meanAbs() == null ? "" : ", mean |γ| " + Format.fixed(d.meanAbs(), 4));
    }
}
