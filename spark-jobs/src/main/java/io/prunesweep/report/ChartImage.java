package io.prunesweep.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;

/** The report's look for every chart, and rendering to PNG. */
final class ChartImage {
    private ChartImage() {}

    static {
        // Charts are drawn on servers and in Spark drivers without a display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Pixels per CSS pixel: sharp on high-density screens, still small files. */
    static final double SCALE = 2.0;

    static final int WIDTH = 640;
    static final int HEIGHT = 420;

    private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);

    static Chart render(JFreeChart chart, String fileName, String caption, int width, int height) {
        style(chart);
        try {
            byte[] png =
                    ChartUtils.encodeAsPNG(
                            chart.createBufferedImage(
                                    (int) Math.round(width * SCALE),
                                    (int) Math.round(height * SCALE),
                                    width,
                                    height,
                                    null));
            return new Chart(
                    fileName,
                    chart.getTitle() == null ? fileName : chart.getTitle().getText(),
                    caption,
                    png,
                    width,
                    height);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart " + fileName + " as PNG", e);
        }
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        if (chart.getTitle() != null) {
            chart.getTitle().setFont(TITLE);
        }
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setFrame(BlockBorder.NONE);
            legend.setPosition(RectangleEdge.BOTTOM);
            legend.setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        }
        style(chart.getPlot());
    }

    private static void style(Plot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.GRAY);
        if (plot instanceof CombinedDomainXYPlot combined) {
            combined.getSubplots().forEach(ChartImage::style);
        } else if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(GRID);
            xy.setRangeGridlinePaint(GRID);
            xy.setDomainGridlineStroke(new BasicStroke(1f));
            xy.setRangeGridlineStroke(new BasicStroke(1f));
        } else if (plot instanceof CategoryPlot cat) {
            cat.setRangeGridlinePaint(GRID);
            cat.setRangeGridlineStroke(new BasicStroke(1f));
        }
    }
}
