package io.prunesweep.sweep.sensitivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.prune.Overrides;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.config.SweepConfigLoader;
import io.prunesweep.sweep.plan.SweepPlanner;
import io.prunesweep.sweep.testing.TestSweeps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sensitivity scan under Spark local[2]: YOLOv8n at 64 px, one dense epoch, two spaces x two
 * ratios in two scan tasks (child JVMs running the engine). Checks the table's numbers, the
 * per-layer plan (read back by the engine's overrides reader and by a grid sweep's
 * prune.overrides), and that a re-run adds no rows.
 */
class SensitivitySweepTest {
    @TempDir Path dir;

    @Test
    void scanWritesTableAndPlanAndReRunAddsNothing() throws Exception {
        String out = TestSweeps.path(dir.resolve("out"));
        String yaml =
                """
                sweep: {id: sens}
                mode: sensitivity
                model: {yaml: yolov8, scale: n}
                data: {dataset: "shapes:train=8,val=4", imgsz: 64, batch: 4}
                epochs: {dense: 1}
                prune: {methods: [l1], ratios: [0.25, 0.5], min_channels: 2}
                sensitivity: {spaces: ["1", "3"], tolerances: [0.01, 0.5], points_per_task: 3}
                output: "%s"
                spark:
                  master: "local[2]"
                  child_heap: 768m
                  child_threads: 1
                  timeout_minutes: 10
                  child_java_options: ["-Dprunesweep.dataCache=%s", "-Dprunesweep.executor=io.prunesweep.pipeline.EngineStageExecutor"]
                  conf: {spark.ui.enabled: "false", spark.sql.shuffle.partitions: "1"}
                """
                        .formatted(out, dir.resolve("data"));
        SweepConfig config = new SweepConfigLoader().parse("sens.yaml", yaml, List.of());
        assertEquals(2, SweepPlanner.plan(config).scans().size(), "4 items, 3 per task");
        String firstRun = TestSweeps.run(config);
        assertTrue(firstRun.contains("sensitivity: 2 to run"), firstRun);
        String query =
                "SELECT space, layers, channels, kept, ratio, base_map50_95, map50_95, delta, params_saved, "
                        + "gflops_saved, seconds FROM read_parquet('"
                        + out
                        + "/tables/sensitivity/*.parquet') "
                        + "ORDER BY space, ratio";
        List<Map<String, Object>> rows = TestSweeps.duck(query);
        assertEquals(4, rows.size(), rows.toString());
        for (Map<String, Object> r : rows) {
            int channels = (int) r.get("channels");
            int kept = (int) r.get("kept");
            double ratio = (double) r.get("ratio");
            assertEquals(channels - (int) Math.floor(ratio * channels), kept, r.toString());
            assertEquals(
                    (double) r.get("map50_95") - (double) r.get("base_map50_95"),
                    (double) r.get("delta"),
                    1e-9);
            assertTrue(
                    (double) r.get("params_saved") > 0 && (double) r.get("gflops_saved") > 0,
                    r.toString());
            assertTrue((double) r.get("seconds") > 0);
        }
        // more channels removed from the same space saves more
        assertTrue(
                (double) rows.get(1).get("params_saved")
                        > (double) rows.get(0).get("params_saved"));

        // the generous tolerance keeps the largest ratio everywhere; the plan reads back as
        // overrides
        Path plans = dir.resolve("out/sensitivity");
        List<Path> files;
        try (Stream<Path> s = Files.list(plans)) {
            files = s.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        }
        assertEquals(2, files.size(), files.toString());
        Path loose = plans.resolve("overrides_l1_lambda0_seed0_tol0.5.yaml");
        Overrides o = Overrides.read(loose);
        assertEquals(Map.of("1", 0.5, "3", 0.5), o.ratios(), Files.readString(loose));
        // ... and a grid sweep takes the file as is
        SweepConfig grid =
                new SweepConfigLoader()
                        .parse(
                                "grid.yaml",
                                yaml.replace("mode: sensitivity", "mode: grid"),
                                List.of("prune.overrides=" + loose, "prune.ratios=[0]"));
        assertEquals(Map.of("1", "0.5", "3", "0.5"), grid.prune().overrides());
        assertEquals(
                Map.of("1", "0.5", "3", "0.5"),
                SweepPlanner.plan(grid).points().get(0).task().settings().overrides());

        // the report draws the scan: a heat map and the per-space curves, linked from index.html
        String index = Files.readString(dir.resolve("out/report/index.html"));
        assertTrue(
                index.contains("sensitivity_heatmap_0.png")
                        && index.contains("sensitivity_curves_0.png"),
                index);
        assertTrue(Files.size(dir.resolve("out/report/sensitivity_heatmap_0.png")) > 1000);

        String again = TestSweeps.run(config);
        assertTrue(again.contains("sensitivity: 0 to run, 2 already done"), again);
        assertEquals(rows, TestSweeps.duck(query), "a re-run adds and changes no rows");
    }
}
