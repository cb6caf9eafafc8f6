package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.testing.TestSweeps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real sweep on local[2]: child JVMs running the toy executor, Parquet read back with DuckDB. */
class LocalSweepTest {
    @TempDir static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        spark =
                SweepJob.session(
                        TestSweeps.config(dir, "boot", TestSweeps.path(dir.resolve("boot"))));
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static SweepRunner.Outcome sweep(SweepConfig config, ByteArrayOutputStream console) {
        return new SweepRunner(config, new PrintStream(console, true)).run(spark);
    }

    @Test
    void sweepRecordsFailuresResumesAndNeverDuplicatesRows() throws Exception {
        Path out = dir.resolve("out");
        String points = "read_parquet('" + TestSweeps.path(out) + "/tables/points/*.parquet')";
        // Ratio 0.5 fails in the engine: 4 of 8 points fail, the other 4 must finish.
        SweepConfig failing =
                TestSweeps.config(
                        dir,
                        "local",
                        TestSweeps.path(out),
                        "spark.child_java_options=[-XX:TieredStopAtLevel=1,-Dprunesweep.executor=io.prunesweep.sweep.testing.ToyStageExecutor,-Dprunesweep.test.failRatio=0.5]");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        SweepRunner.Outcome first = sweep(failing, console);
        String log = console.toString();
        assertTrue(
                log.contains(
                        "8 points; shared plan = 1 dense + 1 sparse + 8 finetunes vs 8 full pipelines"),
                log);
        assertTrue(log.contains("points 8/8 done, stage runs 10/10"), log);
        assertEquals(4, first.report().okPoints(), log);

        Map<String, StageResult> files = TestSweeps.localResults(out);
        assertEquals(10, files.size());
        for (StageResult r : files.values()) {
            if (r.ok()) {
                assertTrue(
                        Files.exists(
                                Path.of(
                                        r.artifacts()
                                                .get(StageResult.CHECKPOINT)
                                                .replace("file:", ""))));
                assertTrue(r.durations().get(StageResult.WALL) > 0);
                assertEquals("cpu", r.device());
            }
        }

        List<Map<String, Object>> schema = TestSweeps.duck("DESCRIBE SELECT * FROM " + points);
        Map<String, String> types =
                schema.stream()
                        .collect(
                                Collectors.toMap(
                                        r -> (String) r.get("column_name"),
                                        r -> (String) r.get("column_type")));
        assertEquals("VARCHAR", types.get("point_id"));
        assertEquals("BIGINT", types.get("seed"));
        assertEquals("DOUBLE", types.get("after_map50_95"));
        assertEquals("DOUBLE", types.get("before_params"));
        assertEquals("DOUBLE", types.get("latency_p95_ms".replace("latency", "after_latency")));
        assertEquals("MAP(VARCHAR, DOUBLE)", types.get("durations"));
        assertEquals("MAP(VARCHAR, VARCHAR)", types.get("artifacts"));
        assertEquals(ResultTables.POINTS.fields().length, schema.size());

        List<Map<String, Object>> rows =
                TestSweeps.duck(
                        "SELECT point_id, status, ratio, method, \"lambda\", error, "
                                + "before_params, after_params, after_map50_95, dense_map50_95, prune_finetune_seconds FROM "
                                + points
                                + " ORDER BY point_id");
        assertEquals(8, rows.size());
        for (Map<String, Object> r : rows) {
            boolean shouldFail = (double) r.get("ratio") == 0.5;
            assertEquals(shouldFail ? "failed" : "ok", r.get("status"), r.toString());
            if (shouldFail) {
                assertTrue(
                        ((String) r.get("error")).contains("injected failure at ratio 0.5"),
                        r.toString());
            } else {
                // 32 channels, 25 % pruned -> 24 kept
                assertEquals(32000.0, (double) r.get("before_params"), 1e-9);
                assertEquals(24000.0, (double) r.get("after_params"), 1e-9);
                assertTrue(
                        (double) r.get("after_map50_95") > 0
                                && (double) r.get("after_map50_95") <= 0.7);
                assertNotNull(r.get("prune_finetune_seconds"));
            }
        }
        List<Map<String, Object>> epochs =
                TestSweeps.duck(
                        "SELECT stage, count(*) AS n FROM read_parquet('"
                                + TestSweeps.path(out)
                                + "/tables/epochs/*.parquet') GROUP BY stage ORDER BY stage");
        // dense 3 epochs, sparse 2, 4 ok points x 2 finetune epochs
        assertEquals(
                "[{stage=dense, n=3}, {stage=prune_finetune, n=8}, {stage=sparse, n=2}]",
                epochs.toString());

        // Re-run with the same failure: finished stages are skipped, failed points retried, rows
        // not duplicated.
        Map<String, String> finishedAt =
                files.entrySet().stream()
                        .filter(e -> e.getValue().ok())
                        .collect(
                                Collectors.toMap(
                                        Map.Entry::getKey, e -> e.getValue().finishedAt()));
        ByteArrayOutputStream console2 = new ByteArrayOutputStream();
        sweep(failing, console2);
        assertTrue(
                console2.toString().contains("prune_finetune: 4 to run, 4 already done"),
                console2.toString());
        assertTrue(
                console2.toString().contains("dense: 0 to run, 1 already done"),
                console2.toString());
        Map<String, StageResult> again = TestSweeps.localResults(out);
        finishedAt.forEach(
                (id, t) -> assertEquals(t, again.get(id).finishedAt(), id + " was run again"));
        assertEquals(8L, TestSweeps.duck("SELECT count(*) AS n FROM " + points).get(0).get("n"));

        // Fixed engine: only the 4 failed points run, and every point is there exactly once.
        SweepRunner.Outcome fixed =
                sweep(
                        TestSweeps.config(dir, "local", TestSweeps.path(out)),
                        new ByteArrayOutputStream());
        assertEquals(8, fixed.report().okPoints());
        List<Map<String, Object>> all = TestSweeps.duck("SELECT point_id, status FROM " + points);
        assertEquals(8, all.size());
        assertEquals(8, new HashSet<>(all.stream().map(r -> r.get("point_id")).toList()).size());
        assertTrue(all.stream().allMatch(r -> r.get("status").equals("ok")));
        assertEquals(
                16L,
                TestSweeps.duck(
                                "SELECT count(*) AS n FROM read_parquet('"
                                        + TestSweeps.path(out)
                                        + "/tables/epochs/*.parquet') WHERE stage = 'prune_finetune'")
                        .get(0)
                        .get("n"));
    }
}
