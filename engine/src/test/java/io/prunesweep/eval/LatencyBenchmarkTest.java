package io.prunesweep.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.prunesweep.InputException;
import io.prunesweep.io.onnx.YoloOnnxExporter;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.YoloModel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LatencyBenchmarkTest {
    @Test
    void warmupRunsAreNotTimed() {
        AtomicInteger calls = new AtomicInteger();
        LatencyStats s =
                LatencyBenchmark.time(
                        calls::incrementAndGet, 4, new LatencyBenchmark.Settings(64, 3, 5));
        assertEquals(8, calls.get());
        assertEquals(5, s.runs());
        assertEquals(4, s.batchSize());
        assertTrue(s.p95Ms() >= s.p50Ms() && s.p50Ms() >= 0, s.toString());
    }

    @Test
    void djlAndOnnxRuntimeGiveSaneFigures() {
        var g = GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2);
        var settings = new LatencyBenchmark.Settings(64, 1, 3);
        try (YoloModel model = YoloModel.create(g, 0, Device.cpu())) {
            for (int batch : new int[] {1, 2}) {
                LatencyStats djl = LatencyBenchmark.djl(model, batch, settings);
                assertEquals(3, djl.runs());
                assertTrue(djl.p95Ms() >= djl.p50Ms() && djl.p50Ms() > 0, djl.toString());
                assertEquals(batch * 1000 / djl.meanMs(), djl.fps(), 1e-6 * djl.fps());
            }
            byte[] onnx = YoloOnnxExporter.toBytes(model, 64);
            LatencyStats ort = LatencyBenchmark.onnx(onnx, YoloOnnxExporter.INPUT, 3, 2, settings);
            assertEquals(2, ort.batchSize());
            assertTrue(ort.p95Ms() >= ort.p50Ms() && ort.p50Ms() > 0, ort.toString());
        }
    }

    @Test
    void badSettingsAreNamed() {
        InputException e =
                assertThrows(InputException.class, () -> new LatencyBenchmark.Settings(64, 0, 0));
        assertEquals("bench: --iters must be >= 1, got 0", e.getMessage());
    }
}
