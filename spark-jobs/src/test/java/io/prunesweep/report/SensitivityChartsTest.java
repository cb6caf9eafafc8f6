package io.prunesweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The heat map and curves of a hand-made scan: one pair per (seed, lambda, method), sized by the
 * space count.
 */
class SensitivityChartsTest {
    @Test
    void heatMapAndCurvesPerScannedModel() throws Exception {
        List<SensitivityCharts.Scanned> rows = new ArrayList<>();
        String[] spaces = {"2", "4", "6.cv1[0]", "8"};
        for (String method : new String[] {"bn", "l1"}) {
            for (int s = 0; s < spaces.length; s++) {
                for (double r : new double[] {0.2, 0.4, 0.6}) {
                    rows.add(
                            new SensitivityCharts.Scanned(0, 0, method, spaces[s], r, -r * s / 10));
                }
            }
        }
        List<Chart> charts = SensitivityCharts.build(rows);
        assertEquals(
                List.of(
                        "sensitivity_heatmap_0.png",
                        "sensitivity_curves_0.png",
                        "sensitivity_heatmap_1.png",
                        "sensitivity_curves_1.png"),
                charts.stream().map(Chart::fileName).toList());
        assertTrue(charts.get(0).title().contains("bn λ=0 seed 0"), charts.get(0).title());
        assertTrue(
                charts.get(0).caption().startsWith("4 spaces x 3 ratios")
                        && charts.get(0).caption().contains("-0.1800"),
                charts.get(0).caption());
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(charts.get(0).png()));
        assertEquals(Math.round(charts.get(0).width() * ChartImage.SCALE), png.getWidth());
        assertTrue(
                charts.get(1).caption().startsWith("4 spaces; the 4 with the largest drop"),
                charts.get(1).caption());
    }
}
