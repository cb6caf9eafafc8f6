package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.config.SweepConfigLoader;
import io.prunesweep.sweep.testing.TestSweeps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real engine end to end under Spark local[2]: YOLOv8n on a generated shapes set, dense ->
 * sparse -> two pruned points, each stage in its own child JVM. Checks the numbers the engine put
 * in the Parquet table.
 */
class EngineSweepTest {
    @TempDir Path dir;

    @Test
    void realEngineSweepWritesConsistentRows() throws Exception {
        String out = TestSweeps.path(dir.resolve("out"));
        String yaml =
                """
                sweep: {id: engine}
                model: {yaml: yolov8, scale: n}
                data: {dataset: "shapes:train=8,val=4", imgsz: 64, batch: 4}
                epochs: {dense: 1, sparse: 1, finetune: 1}
                seeds: [0]
                sparse: {lambdas: [0.001]}
                prune: {methods: [bn], ratios: [0.3, 0.6], round_to: 8}
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
        SweepConfig config = new SweepConfigLoader().parse("engine.yaml", yaml, List.of());
        SparkSession spark = SweepJob.session(config);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try {
            SweepRunner.Outcome outcome =
                    new SweepRunner(config, new PrintStream(console, true)).run(spark);
            assertEquals(2, outcome.report().okPoints(), console.toString());
        } finally {
            spark.stop();
        }
        List<Map<String, Object>> rows =
                TestSweeps.duck(
                        "SELECT ratio, status, dense_params, before_params, "
                                + "after_params, after_gflops, before_gflops, after_map50_95, after_fps, artifacts['onnx'] AS onnx, "
                                + "extra_metrics['before.gamma_hist_0'] AS hist0 FROM read_parquet('"
                                + out
                                + "/tables/points/*.parquet') ORDER BY ratio");
        assertEquals(2, rows.size());
        double previous = Double.MAX_VALUE;
        for (Map<String, Object> r : rows) {
            assertEquals("ok", r.get("status"), r.toString());
            assertEquals(3_011_433.0, (double) r.get("dense_params"), 0.5, "YOLOv8n at nc=3");
            double after = (double) r.get("after_params");
            assertTrue(after < (double) r.get("before_params") && after < previous, r.toString());
            assertTrue((double) r.get("after_gflops") < (double) r.get("before_gflops"));
            assertTrue((double) r.get("after_fps") > 0);
            assertTrue(((String) r.get("onnx")).endsWith("model.onnx"), r.toString());
            assertTrue(
                    r.get("hist0") != null,
                    "the gamma histogram of the pruned model's input is reported");
            previous = after;
        }
        List<Map<String, Object>> epochs =
                TestSweeps.duck(
                        "SELECT stage, count(*) AS n, min(box_loss) > 0 AS losses "
                                + "FROM read_parquet('"
                                + out
                                + "/tables/epochs/*.parquet') GROUP BY stage ORDER BY stage");
        assertEquals(
                "[{stage=dense, n=1, losses=true}, {stage=prune_finetune, n=2, losses=true}, "
                        + "{stage=sparse, n=1, losses=true}]",
                epochs.toString());
    }
}
