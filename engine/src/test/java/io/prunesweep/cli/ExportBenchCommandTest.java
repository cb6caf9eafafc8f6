package io.prunesweep.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.onnx.OnnxRuntimeCheck;
import io.prunesweep.io.onnx.OnnxRuntimeCheck.FloatTensor;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.YoloModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportBenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void exportsYamlModelAndReportsTheCheck(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/v8n.onnx");
        CliRun r =
                run(
                        "export",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--nc",
                        "3",
                        "--imgsz",
                        "64",
                        "--out",
                        file.toString(),
                        "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(file.toString(), j.get("file").asText());
        assertEquals("onnx", j.get("format").asText());
        assertEquals(17, j.get("opset").asInt());
        assertEquals(Files.size(file), j.get("bytes").asLong());
        assertTrue(j.get("params").asLong() > 3_000_000, r.out());
        assertTrue(j.get("gflops").asDouble() > 0, r.out());
        assertTrue(j.get("check").get("passed").asBoolean(), r.out());
        assertTrue(j.get("check").get("scores_max_abs_diff").asDouble() <= 1e-4, r.out());
        // the file runs in ONNX Runtime with the ultralytics-style output
        Map<String, FloatTensor> o =
                OnnxRuntimeCheck.run(
                        file,
                        Map.of(
                                "images",
                                new FloatTensor(
                                        new float[3 * 64 * 64], new long[] {1, 3, 64, 64})));
        assertArrayEquals(new long[] {1, 7, 84}, o.get("output0").shape());
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left next to the export");
        }
    }

    @Test
    void exportsCheckpointNextToItByDefault(@TempDir Path dir) {
        Path weights = dir.resolve("pruned.safetensors");
        try (YoloModel m =
                YoloModel.create(
                        GraphBuilder.build(ModelDefinition.bundled("yolov5u"), "n", 2),
                        1,
                        Device.cpu())) {
            Checkpoint.save(m, weights.toString(), Map.of());
        }
        CliRun r = run("export", "--weights", weights.toString(), "--imgsz", "64");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(dir.resolve("pruned.onnx")), r.out());
        assertTrue(r.out().startsWith("exported yolov5un ("), r.out());
        assertTrue(
                r.out().contains("ONNX Runtime check: batch 1 at 64x64")
                        && r.out().contains("passed"),
                r.out());
    }

    @Test
    void badInputIsOneClearLine(@TempDir Path dir) {
        CliRun format = run("export", "--model", "yolov8", "--scale", "n", "--format", "tflite");
        assertEquals(2, format.code());
        assertEquals(
                "error: export: format 'tflite' is not supported; use --format onnx",
                format.err().strip());

        String missing = dir.resolve("nope.safetensors").toString();
        CliRun weights = run("export", "--weights", missing);
        assertEquals(2, weights.code());
        assertEquals("error: " + missing + ": file not found", weights.err().strip());

        CliRun size =
                run(
                        "export",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--imgsz",
                        "100",
                        "--out",
                        dir.resolve("x.onnx").toString());
        assertEquals(2, size.code());
        assertEquals(1, size.err().strip().lines().count(), size.err());
        assertTrue(size.err().contains("image size 100 is not a positive multiple"), size.err());

        CliRun bench = run("bench", "--weights", missing);
        assertEquals(2, bench.code());
        assertEquals("error: " + missing + ": file not found", bench.err().strip());

        CliRun runtime = run("bench", "--model", "yolov8", "--scale", "n", "--runtime", "tensorrt");
        assertEquals(
                "error: bench: runtime 'tensorrt' is not supported; use --runtime djl or onnx",
                runtime.err().strip());

        CliRun gpu = run("bench", "--model", "yolov8", "--scale", "n", "--device", "gpu:7");
        assertEquals(2, gpu.code());
        assertTrue(
                gpu.err()
                        .strip()
                        .startsWith(
                                "error: device gpu:7 is not available: this PyTorch build sees"),
                gpu.err());
        assertEquals(1, gpu.err().strip().lines().count(), gpu.err());
    }

    @Test
    void benchReportsLatencyPerBatchSize() throws Exception {
        for (String runtime : new String[] {"djl", "onnx"}) {
            CliRun r =
                    run(
                            "bench",
                            "--model",
                            "yolov8",
                            "--scale",
                            "n",
                            "--nc",
                            "2",
                            "--imgsz",
                            "64",
                            "--batch",
                            "1,2",
                            "--warmup",
                            "1",
                            "--iters",
                            "3",
                            "--runtime",
                            runtime,
                            "--json");
            assertEquals(0, r.code(), r.err());
            JsonNode j = JSON.readTree(r.out());
            assertEquals(runtime, j.get("runtime").asText());
            assertEquals("cpu", j.get("device").asText());
            assertEquals(2, j.get("results").size());
            for (int i = 0; i < 2; i++) {
                JsonNode row = j.get("results").get(i);
                assertEquals(i + 1, row.get("batch").asInt());
                assertEquals(3, row.get("runs").asInt());
                double p50 = row.get("p50_ms").asDouble();
                double p95 = row.get("p95_ms").asDouble();
                assertTrue(p95 >= p50 && p50 > 0, row.toString());
                assertEquals(
                        (i + 1) * 1000 / row.get("mean_ms").asDouble(),
                        row.get("fps").asDouble(),
                        1e-6 * row.get("fps").asDouble());
            }
        }
        CliRun table =
                run(
                        "bench",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--imgsz",
                        "64",
                        "--warmup",
                        "0",
                        "--iters",
                        "1");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("p50 ms") && table.out().lines().count() == 3, table.out());
    }
}
