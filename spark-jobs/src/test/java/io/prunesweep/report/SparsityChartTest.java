package io.prunesweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The structured-vs-unstructured charts: drawn when a sweep has both kinds, with every point, and
 * not otherwise.
 */
class SparsityChartTest {
    static final double DENSE = 3_000_000;

    static PointRecord point(
            String id,
            String method,
            double ratio,
            boolean reconstruct,
            double nonzero,
            double fps,
            double map) {
        Map<String, Double> extra = reconstruct ? Map.of(PointRecord.RECONSTRUCT, 1.0) : Map.of();
        return point(id, method, ratio, extra, nonzero, fps, map);
    }

    /** A point with the given extras (the reconstruct flag, pre-finetune mAP, ... among them). */
    static PointRecord point(
            String id,
            String method,
            double ratio,
            Map<String, Double> extra,
            double nonzero,
            double fps,
            double map) {
        double params = method.equals("unstructured") ? DENSE : nonzero;
        return new PointRecord(
                "s",
                id,
                "d-0",
                null,
                0L,
                0.0,
                method,
                ratio,
                "global",
                "ok",
                null,
                null,
                new ModelMetrics(DENSE, null, null, 0.26, null, null),
                new ModelMetrics(DENSE, 0.33, null, 0.26, 100.0, null),
                new ModelMetrics(params, null, null, map, fps, null, nonzero),
                extra,
                null,
                null,
                null,
                null,
                null);
    }

    @Test
    void bothKindsGiveTwoChartsWithEveryPoint() throws Exception {
        List<PointRecord> points = new ArrayList<>();
        for (double r : new double[] {0.2, 0.4, 0.6}) {
            points.add(
                    point(
                            "b" + r,
                            "bn",
                            r,
                            false,
                            DENSE * (1 - r) * (1 - r),
                            100 / ((1 - r) * (1 - r)),
                            0.26 - r / 10));
            points.add(
                    point(
                            "br" + r,
                            "bn",
                            r,
                            true,
                            DENSE * (1 - r) * (1 - r),
                            100 / ((1 - r) * (1 - r)),
                            0.26 - r / 12));
            points.add(
                    point("u" + r, "unstructured", r, false, DENSE * (1 - r), 100, 0.26 - r / 20));
        }
        List<Chart> charts = SparsityChart.build(points, DenseBaseline.of(points));
        assertEquals(
                List.of("map_vs_nonzero_params.png", "map_vs_fps_sparsity.png"),
                charts.stream().map(Chart::fileName).toList());
        for (Chart c : charts) {
            var img = ImageIO.read(new ByteArrayInputStream(c.png()));
            assertTrue(img.getWidth() >= ChartImage.WIDTH, c.fileName());
            assertTrue(c.caption().contains("9 ok points in 3 series"), c.caption());
        }
        assertTrue(charts.get(1).caption().contains("FPS stays at the dense model's"));
        // structured only (every report before unstructured existed): no such chart
        assertEquals(
                List.of(),
                SparsityChart.build(
                        points.stream().filter(p -> !p.unstructured()).toList(),
                        DenseBaseline.of(points)));
    }
}
