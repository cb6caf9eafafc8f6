package io.prunesweep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.cli.CliRun;
import io.prunesweep.cli.Main;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} (with {@code --resume}) and {@code bench train} through the command line, on a tiny
 * model.
 */
class TrainCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static Path data;
    static Path tinyYaml;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @BeforeAll
    static void setUp() throws Exception {
        TrainFixtures.synth(dir.resolve("data"), 12, 4, 64, 5);
        data = dir.resolve("data/data.yaml");
        // the bundled YOLOv8 with scale n narrowed to width 1/16: the same graph in miniature
        try (InputStream in = Main.class.getResourceAsStream("/models/yolov8.yaml")) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(yaml.contains("n: [0.33, 0.25, 1024]"));
            tinyYaml =
                    Files.writeString(
                            dir.resolve("tiny.yaml"),
                            yaml.replace("n: [0.33, 0.25, 1024]", "n: [0.33, 0.0625, 1024]"));
        }
    }

    @Test
    void trainsThenResumesFromTheOutputDirectory() throws Exception {
        Path out = dir.resolve("run");
        CliRun first =
                run(
                        "train",
                        "--model",
                        tinyYaml.toString(),
                        "--scale",
                        "n",
                        "--data",
                        data.toString(),
                        "--epochs",
                        "1",
                        "--imgsz",
                        "64",
                        "--batch",
                        "4",
                        "--workers",
                        "1",
                        "--out",
                        out.toString());
        assertEquals(0, first.code(), first.err());
        CliRun second =
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--epochs",
                        "2",
                        "--imgsz",
                        "64",
                        "--batch",
                        "4",
                        "--workers",
                        "1",
                        "--out",
                        out.toString(),
                        "--resume");
        assertEquals(0, second.code(), second.err());
        List<String> rows = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(3, rows.size(), String.join("\n", rows));
        assertTrue(
                rows.get(1).startsWith("0,") && rows.get(2).startsWith("1,"),
                String.join("\n", rows));
        JsonNode val = JSON.readTree(out.resolve("val.json").toFile());
        assertTrue(val.has("map50") && val.has("map50_95"), val.toString());
        assertTrue(Files.size(out.resolve("last.safetensors")) > 0);

        CliRun again =
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--epochs",
                        "2",
                        "--imgsz",
                        "64",
                        "--out",
                        out.toString(),
                        "--resume");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already finished its 2 epochs"), again.err());
        CliRun nothing =
                run(
                        "train",
                        "--data",
                        data.toString(),
                        "--out",
                        dir.resolve("empty").toString(),
                        "--resume");
        assertEquals(2, nothing.code());
        assertTrue(nothing.err().contains("nothing to resume"), nothing.err());
    }

    @Test
    void benchTrainReportsLoaderAndTrainingThroughputSeparately() throws Exception {
        CliRun r =
                run(
                        "bench",
                        "train",
                        "--model",
                        tinyYaml.toString(),
                        "--scale",
                        "n",
                        "--data",
                        data.toString(),
                        "--imgsz",
                        "64",
                        "--batch",
                        "4",
                        "--iters",
                        "4",
                        "--warmup",
                        "1",
                        "--workers",
                        "1",
                        "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        JsonNode loader = j.get("loader");
        assertEquals(16, loader.get("samples").asInt()); // 4 timed batches of 4 mosaics
        assertTrue(loader.get("samples_per_s").asDouble() > 0, r.out());
        assertTrue(loader.get("cache_mb").asDouble() > 0, r.out()); // RAM cache by default
        JsonNode train = j.get("train");
        assertEquals(16, train.get("images").asInt());
        assertTrue(train.get("images_per_s").asDouble() > 0, r.out());
        assertTrue(
                train.get("forward_ms").asDouble() > 0 && train.get("backward_ms").asDouble() > 0,
                r.out());
        assertEquals(4, train.get("rss_mb_each_quarter").size(), r.out());

        CliRun table =
                run(
                        "bench",
                        "train",
                        "--data",
                        data.toString(),
                        "--imgsz",
                        "64",
                        "--batch",
                        "4",
                        "--iters",
                        "2",
                        "--warmup",
                        "0",
                        "--part",
                        "loader",
                        "--cache",
                        "none");
        assertEquals(0, table.code(), table.err());
        assertTrue(
                table.out().contains("samples/s") && table.out().contains("mosaic"), table.out());
        CliRun bad = run("bench", "train", "--data", data.toString(), "--cache", "disk");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--cache must be ram or none"), bad.err());
        CliRun noModel =
                run(
                        "bench",
                        "train",
                        "--data",
                        data.toString(),
                        "--imgsz",
                        "64",
                        "--part",
                        "train");
        assertEquals(2, noModel.code());
        assertTrue(noModel.err().contains("name a model"), noModel.err());
    }
}
