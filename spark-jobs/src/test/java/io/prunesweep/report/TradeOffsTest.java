package io.prunesweep.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prunesweep.InputException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's numbers on hand-made rows with known answers; no Spark, no drawing. */
class TradeOffsTest {

    private static PointRecord ok(
            String id, long seed, double denseMap, Double params, Double map) {
        return point(
                id,
                seed,
                0.0,
                "ok",
                denseMap,
                new ModelMetrics(params, null, null, map, null, null),
                Map.of());
    }

    private static PointRecord point(
            String id,
            long seed,
            double lambda,
            String status,
            Double denseMap,
            ModelMetrics after,
            Map<String, Double> extra) {
        ModelMetrics dense = new ModelMetrics(1000.0, null, null, denseMap, null, null);
        return new PointRecord(
                "s",
                id,
                "d-" + seed,
                lambda == 0 ? null : "s-" + seed + "-" + lambda,
                seed,
                lambda,
                "bn",
                0.5,
                "global",
                status,
                null,
                null,
                dense,
                null,
                after,
                extra,
                null,
                null,
                null,
                null,
                null);
    }

    /** Dense mAP50-95 0.500; p3 and p5 are beaten, p6/p7 are identical, p9-p11 cannot be placed. */
    private static final List<PointRecord> ROWS =
            List.of(
                    ok("p1", 0, 0.5, 1000.0, 0.500),
                    ok("p2", 0, 0.5, 800.0, 0.498),
                    ok("p3", 0, 0.5, 800.0, 0.480),
                    ok("p4", 0, 0.5, 600.0, 0.490),
                    ok("p5", 0, 0.5, 700.0, 0.470),
                    ok("p6", 0, 0.5, 400.0, 0.481),
                    ok("p7", 0, 0.5, 400.0, 0.481),
                    ok("p8", 0, 0.5, 300.0, 0.300),
                    point(
                            "p9",
                            0,
                            0.0,
                            "failed",
                            0.5,
                            new ModelMetrics(100.0, null, null, 0.9, null, null),
                            Map.of()),
                    ok("p10", 0, 0.5, 200.0, null),
                    ok("p11", 0, 0.5, 150.0, Double.NaN));

    private static List<String> ids(List<PointRecord> points) {
        return points.stream().map(PointRecord::pointId).toList();
    }

    @Test
    void paretoFrontKeepsOnlyUnbeatenOkPointsSmallestFirst() {
        assertEquals(
                List.of("p8", "p6", "p7", "p4", "p2", "p1"),
                ids(TradeOffs.paretoFront(ROWS, Axis.PARAMS)));
    }

    @Test
    void paretoFrontOnFpsPrefersFasterModels() {
        List<PointRecord> rows =
                List.of(
                        point(
                                "q1",
                                0,
                                0,
                                "ok",
                                0.5,
                                new ModelMetrics(1.0, null, null, 0.50, 100.0, null),
                                Map.of()),
                        point(
                                "q2",
                                0,
                                0,
                                "ok",
                                0.5,
                                new ModelMetrics(1.0, null, null, 0.45, 200.0, null),
                                Map.of()),
                        point(
                                "q3",
                                0,
                                0,
                                "ok",
                                0.5,
                                new ModelMetrics(1.0, null, null, 0.44, 150.0, null),
                                Map.of()),
                        point(
                                "q4",
                                0,
                                0,
                                "ok",
                                0.5,
                                new ModelMetrics(1.0, null, null, 0.30, 300.0, null),
                                Map.of()),
                        point(
                                "q5",
                                0,
                                0,
                                "ok",
                                0.5,
                                new ModelMetrics(1.0, null, null, 0.99, null, null),
                                Map.of()));
        assertEquals(List.of("q4", "q2", "q1"), ids(TradeOffs.paretoFront(rows, Axis.FPS)));
        // GFLOPs missing everywhere: nothing to rank.
        assertEquals(List.of(), TradeOffs.paretoFront(rows, Axis.GFLOPS));
    }

    @Test
    void recommendsTheSmallestModelWithinEachAbsoluteTolerance() {
        List<TradeOffs.Recommendation> r = TradeOffs.recommend(ROWS);
        assertEquals(
                List.of(0.005, 0.01, 0.02),
                r.stream().map(TradeOffs.Recommendation::tolerance).toList());
        // 0.005: p1 (0.500) and p2 (0.498) qualify -> p2, 800 params
        assertEquals("p2", r.get(0).point().pointId());
        // 0.01: p4 sits exactly on 0.500 - 0.01 = 0.490 and counts as within
        assertEquals("p4", r.get(1).point().pointId());
        // 0.02: p6 and p7 tie on 400 params and 0.481 -> the lower id
        assertEquals("p6", r.get(2).point().pointId());
        // A tolerance nothing meets
        assertFalse(TradeOffs.recommend(List.of(ROWS.get(7)), 0.01).found());
    }

    @Test
    void recommendationComparesEachPointWithItsOwnSeedsBaseline() {
        // Seed 1's dense model is much weaker (0.30): its 350-parameter point is within 0.001 of
        // it.
        List<PointRecord> rows =
                List.of(
                        ok("a", 0, 0.5, 800.0, 0.498),
                        ok("b", 1, 0.30, 350.0, 0.299),
                        ok("c", 1, 0.30, 200.0, 0.25));
        assertEquals("b", TradeOffs.recommend(rows, 0.005).point().pointId());
        assertEquals(-0.001, rows.get(1).deltaMap5095(), 1e-12);
    }

    @Test
    void gammaHistogramsCountEachModelOnceAndAverageSeedsPerLambda() {
        Map<String, Double> dense = hist(new double[] {0, 0, 0, 10, 30, 0, 0}, 0.7);
        Map<String, Double> denseOther =
                hist(new double[] {40, 0, 0, 0, 0, 0, 0}, 0.1); // same d-0: ignored
        Map<String, Double> sparseSeed0 = hist(new double[] {5, 5, 0, 0, 10, 0, 0}, 0.2);
        Map<String, Double> sparseSeed1 = hist(new double[] {0, 10, 0, 0, 10, 0, 0}, 0.4);
        Map<String, Double> incomplete = new HashMap<>(sparseSeed0);
        incomplete.remove("before.gamma_hist_6");
        ModelMetrics m = ModelMetrics.NONE;
        List<PointRecord> rows =
                List.of(
                        point("a", 0, 0.0, "ok", 0.5, m, dense),
                        point("b", 0, 0.0, "ok", 0.5, m, denseOther),
                        point("c", 0, 0.01, "ok", 0.5, m, sparseSeed0),
                        point("d", 0, 0.01, "failed", 0.5, m, sparseSeed0),
                        point("e", 1, 0.01, "ok", 0.5, m, sparseSeed1),
                        point("f", 0, 0.1, "ok", 0.5, m, incomplete),
                        point("g", 0, 0.2, "ok", 0.5, m, Map.of()));

        GammaHistograms.Distribution d = GammaHistograms.dense(rows);
        assertArrayEquals(new double[] {0, 0, 0, 0.25, 0.75, 0, 0}, d.share(), 1e-12);
        assertEquals(1, d.models());
        assertEquals(0.7, d.meanAbs(), 1e-12);

        Map<Double, GammaHistograms.Distribution> sparse = GammaHistograms.sparseByLambda(rows);
        assertEquals(
                List.of(0.01),
                List.copyOf(sparse.keySet()),
                "λ 0.1 has no complete histogram, 0.2 none");
        assertArrayEquals(
                new double[] {0.125, 0.375, 0, 0, 0.5, 0, 0}, sparse.get(0.01).share(), 1e-12);
        assertEquals(2, sparse.get(0.01).models());
        assertEquals(0.3, sparse.get(0.01).meanAbs(), 1e-12);
        assertNull(rows.get(5).gammaHistogram());
    }

    @Test
    void withoutLambdaZeroTheDenseModelComesFromItsStageMetrics() {
        List<PointRecord> sparseOnly =
                List.of(
                        point(
                                "a",
                                0,
                                0.01,
                                "ok",
                                0.5,
                                ModelMetrics.NONE,
                                hist(new double[] {5, 5, 0, 0, 10, 0, 0}, 0.2)));
        assertNull(GammaHistograms.dense(sparseOnly));
        Map<String, Double> stage = new HashMap<>();
        hist(new double[] {0, 0, 0, 10, 30, 0, 0}, 0.7)
                .forEach((k, v) -> stage.put(k.replace("before.", "after."), v));
        stage.put("after.fps", 88.0);
        GammaHistograms.Distribution d = GammaHistograms.dense(sparseOnly, Map.of("d-0", stage));
        assertArrayEquals(new double[] {0, 0, 0, 0.25, 0.75, 0, 0}, d.share(), 1e-12);
        assertEquals(0.7, d.meanAbs(), 1e-12);
        DenseBaseline b = DenseBaseline.of(sparseOnly, Map.of("d-0", stage)).get(0);
        assertEquals(88.0, b.value(Axis.FPS));
        assertEquals(
                1000.0, b.value(Axis.PARAMS), "the table's dense_params wins over the stage file");
        assertNull(DenseBaseline.of(sparseOnly).get(0).value(Axis.FPS));
    }

    private static Map<String, Double> hist(double[] counts, double meanAbs) {
        Map<String, Double> m = new HashMap<>();
        for (int i = 0; i < counts.length; i++) {
            m.put("before.gamma_hist_" + i, counts[i]);
        }
        m.put("before.gamma_mean_abs", meanAbs);
        return m;
    }

    @Test
    void summaryCountsSharedStagesOnce() {
        PointRecord a =
                new PointRecord(
                        "s",
                        "a",
                        "d-0",
                        "s-1",
                        0L,
                        0.01,
                        "bn",
                        0.5,
                        null,
                        "ok",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        100.0,
                        50.0,
                        10.0,
                        "2025-01-01T10:00:00Z",
                        "2025-01-01T10:05:00Z");
        PointRecord b =
                new PointRecord(
                        "s",
                        "b",
                        "d-0",
                        "s-1",
                        0L,
                        0.01,
                        "l1",
                        0.5,
                        null,
                        "failed",
                        "x",
                        null,
                        null,
                        null,
                        null,
                        null,
                        100.0,
                        50.0,
                        5.0,
                        "2025-01-01T09:59:00Z",
                        null);
        PointRecord c =
                new PointRecord(
                        "s", "c", "d-0", null, 0L, 0.0, "bn", 0.5, null, "not_run", "x", null, null,
                        null, null, null, 100.0, null, null, null, null);
        SweepSummary s = SweepSummary.of(List.of(a, b, c));
        assertEquals(List.of(1, 1, 1, 3), List.of(s.ok(), s.failed(), s.notRun(), s.points()));
        assertEquals(100 + 50 + 10 + 5, s.computeSeconds(), 1e-9);
        assertEquals(160 + 155 + 100, s.endToEndSeconds(), 1e-9);
        assertEquals("2025-01-01T09:59:00Z", s.firstStart());
        assertEquals("2025-01-01T10:05:00Z", s.lastFinish());
    }

    @Test
    void resultsAreTheSweepOutputOrItsTablesDirectory() {
        ResultsLocation out = ResultsLocation.parse("s3a://bucket/sweeps/q1/");
        assertEquals("s3a://bucket/sweeps/q1/tables/points", out.pointsDir());
        assertEquals("s3a://bucket/sweeps/q1/report", out.defaultReportDir());
        ResultsLocation tables = ResultsLocation.parse("/data/q1/tables");
        assertEquals("/data/q1", tables.sweepOutput());
        assertEquals("/data/q1/tables/epochs", tables.epochsDir());
        assertEquals("/data/q1/report", tables.defaultReportDir());
        assertThrows(InputException.class, () -> ResultsLocation.parse(" "));
    }

    @Test
    void htmlEscapesEverythingAnErrorCanContain() {
        assertEquals(
                "&lt;script&gt;a&amp;b &quot;c&quot; &#39;d&#39;&lt;/script&gt;",
                Html.escape("<script>a&b \"c\" 'd'</script>"));
    }
}
