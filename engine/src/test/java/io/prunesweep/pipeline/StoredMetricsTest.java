package io.prunesweep.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.YoloModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics stored in an input checkpoint: read when valid; when unreadable, said on stderr and
 * counted, not dropped silently.
 */
class StoredMetricsTest {

    @Test
    void unreadableStoredMetricsAreLoggedAndCounted(@TempDir Path dir) {
        String good = dir.resolve("good.safetensors").toString();
        String bad = dir.resolve("bad.safetensors").toString();
        try (YoloModel m =
                YoloModel.create(
                        GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2),
                        0,
                        Device.cpu())) {
            Checkpoint.save(
                    m,
                    good,
                    Map.of(
                            EngineStageExecutor.METRICS_KEY,
                            "{\""
                                    + MetricKeys.MAP50_95
                                    + "\": 0.25, \""
                                    + MetricKeys.MAP50
                                    + "\": 0.5, \"latency\": 3.0}"));
            Checkpoint.save(m, bad, Map.of(EngineStageExecutor.METRICS_KEY, "{not json"));
        }
        assertEquals(
                Map.of(MetricKeys.MAP50_95, 0.25, MetricKeys.MAP50, 0.5),
                EngineStageExecutor.storedMetrics(good));

        int before = EngineStageExecutor.unreadableStoredMetrics();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Map<String, Double> read;
        try {
            read = EngineStageExecutor.storedMetrics(bad);
        } finally {
            System.setErr(err);
        }
        assertEquals(Map.of(), read, "the caller then validates the model again");
        assertEquals(before + 1, EngineStageExecutor.unreadableStoredMetrics());
        String said = captured.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains(bad) && said.contains("unreadable"), said);
    }
}
