package io.prunesweep.sweep.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.config.SweepConfigLoader;
import io.prunesweep.sweep.testing.TestSweeps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Successive halving with the real engine under Spark local[2]: YOLOv8n at 64 px, two series (bn,
 * l1) at one ratio, one short finetune epoch for both, then the better series continues to three
 * epochs from its one-epoch checkpoint (the carried results.csv shows epoch 0 as the short run left
 * it). A re-run adds no rows.
 */
class HalvingSweepTest {
    @TempDir Path dir;

    @Test
    void promotesTheBestSeriesFromItsShortBudgetCheckpoint() throws Exception {
        String out = TestSweeps.path(dir.resolve("out"));
        String yaml =
                """
                sweep: {id: halving}
                model: {yaml: yolov8, scale: n}
                data: {dataset: "shapes:train=8,val=4", imgsz: 64, batch: 4}
                epochs: {dense: 1, finetune: 3}
                prune: {methods: [bn, l1], ratios: [0.3], round_to: 8}
                search: {mode: halving, eta: 3, rounds: 1}
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
        SweepConfig config = new SweepConfigLoader().parse("halving.yaml", yaml, List.of());
        String first = TestSweeps.run(config);
        String query =
                "SELECT point_id, method, epochs_finetune, \"round\", reason, status FROM read_parquet('"
                        + out
                        + "/tables/points/*.parquet') ORDER BY \"round\", method";
        List<Map<String, Object>> rows = TestSweeps.duck(query);
        assertEquals(3, rows.size(), rows + first);
        assertEquals(
                List.of(1, 1, 3),
                rows.stream().map(r -> r.get("epochs_finetune")).toList(),
                rows.toString());
        assertTrue(rows.stream().allMatch(r -> "ok".equals(r.get("status"))), rows.toString());
        Map<String, Object> promoted = rows.get(2);
        assertEquals(1, promoted.get("round"));
        assertTrue(
                ((String) promoted.get("reason"))
                        .startsWith("halving round 1: series ranked 1 of 2"),
                promoted.toString());
        Map<String, Object> shortRun =
                rows.stream()
                        .filter(
                                r ->
                                        r.get("method").equals(promoted.get("method"))
                                                && (int) r.get("round") == 0)
                        .findFirst()
                        .orElseThrow();
        List<String> shortCurve =
                Files.readAllLines(
                        dir.resolve(
                                "out/stages/points/"
                                        + shortRun.get("point_id")
                                        + "/finetune/results.csv"));
        List<String> longCurve =
                Files.readAllLines(
                        dir.resolve(
                                "out/stages/points/"
                                        + promoted.get("point_id")
                                        + "/finetune/results.csv"));
        assertEquals(2, shortCurve.size(), "header + one epoch");
        assertEquals(4, longCurve.size(), "header + three epochs");
        assertEquals(
                shortCurve.get(1),
                longCurve.get(1),
                "epoch 0 of the promoted run is the short run's: resumed, not retrained");

        String again = TestSweeps.run(config);
        assertTrue(again.contains("prune_finetune: 0 to run"), again);
        assertEquals(rows, TestSweeps.duck(query), "a re-run adds no rows");
    }
}
