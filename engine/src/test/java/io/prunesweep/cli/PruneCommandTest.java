package io.prunesweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.model.YoloModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruneCommandTest {
    /**
     * {@code prune} of a seeded YOLOv8n with {@code nc} classes by {@code method}, then {@code
     * more}.
     */
    static String[] pruneYolov8n(String nc, String method, String ratio, String... more) {
        String[] head = {
            "prune",
            "--model",
            "yolov8",
            "--scale",
            "n",
            "--nc",
            nc,
            "--method",
            method,
            "--ratio",
            ratio
        };
        String[] all = java.util.Arrays.copyOf(head, head.length + more.length);
        System.arraycopy(more, 0, all, head.length, more.length);
        return all;
    }

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void writesCheckpointAndJsonReport(@TempDir Path dir) throws Exception {
        Path outDir = dir.resolve("p1");
        CliRun r =
                run(
                        pruneYolov8n(
                                "2",
                                "bn",
                                "0.4",
                                "--round-to",
                                "4",
                                "--out",
                                outDir.toString(),
                                "--json"));
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("yolov8n", j.get("model").asText());
        assertEquals("bn", j.get("method").asText());
        assertEquals("global", j.get("scope").asText());
        assertEquals(0.4, j.get("ratio").asDouble(), 1e-12);
        long before = j.get("params_before").asLong();
        long after = j.get("params_after").asLong();
        assertEquals(3_011_238, before, "YOLOv8n at nc=2");
        assertTrue(after < before);
        assertTrue(j.get("gflops_after").asDouble() < j.get("gflops_before").asDouble());
        assertEquals(23, j.get("layers").size());
        assertTrue(j.get("spaces").size() > 50);
        JsonNode fromFile =
                new ObjectMapper().readTree(outDir.resolve(PruneCommand.REPORT).toFile());
        assertEquals(after, fromFile.get("params_after").asLong());
        Path ckpt = outDir.resolve(PruneCommand.CHECKPOINT);
        assertTrue(Files.size(ckpt) > 0);
        try (YoloModel m = Checkpoint.load(ckpt.toString(), null, Device.cpu())) {
            assertEquals(
                    after,
                    m.graph().parameterCount(),
                    "the checkpoint reloads at the pruned widths");
            for (JsonNode l : j.get("layers")) {
                assertEquals(
                        l.get("out_after").asInt(),
                        m.graph().layers().get(l.get("index").asInt()).outChannels());
            }
        }
        // the pruned checkpoint prunes again, and the text report has the width table
        CliRun again =
                run(
                        "prune",
                        "--weights",
                        ckpt.toString(),
                        "--method",
                        "l2",
                        "--scope",
                        "local",
                        "--ratio",
                        "0.2",
                        "--out",
                        dir.resolve("p2").toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(
                again.out().contains("params " + String.format("%,d", after) + " -> "),
                again.out());
        assertTrue(
                again.out().lines().anyMatch(l -> l.matches("\\s+2\\s+C2f\\s+\\d+ -> \\d+.*")),
                again.out());
    }

    @Test
    void targetAndSteps(@TempDir Path dir) throws Exception {
        CliRun r =
                run(
                        "prune",
                        "--model",
                        "yolo11",
                        "--scale",
                        "n",
                        "--nc",
                        "2",
                        "--method",
                        "random",
                        "--seed",
                        "3",
                        "--target-gflops",
                        "0.6",
                        "--steps",
                        "2",
                        "--out",
                        dir.toString(),
                        "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(
                j.get("gflops_after").asDouble() <= 0.6 * j.get("gflops_before").asDouble(),
                r.out());
        assertEquals(2, j.get("steps").asInt());
    }

    @Test
    void iterativePruningFinetunesBetweenSteps(@TempDir Path dir) throws Exception {
        Path data =
                io.prunesweep.data.SyntheticDatasetSpec.parse("shapes:train=8,val=4")
                        .materialize(dir, 64);
        Path out = dir.resolve("it");
        CliRun r =
                run(
                        pruneYolov8n(
                                "3",
                                "bn",
                                "0.5",
                                "--steps",
                                "3",
                                "--data",
                                data.toString(),
                                "--step-epochs",
                                "1",
                                "--batch",
                                "4",
                                "--imgsz",
                                "64",
                                "--out",
                                out.toString(),
                                "--json"));
        assertEquals(0, r.code(), r.err());
        // steps 1 and 2 were finetuned (one epoch each); the last step is left to the caller's
        // finetune
        for (int step = 1; step <= 2; step++) {
            List<String> csv = Files.readAllLines(out.resolve("step-" + step + "/results.csv"));
            assertEquals(2, csv.size(), "header + one epoch row in step " + step);
        }
        assertTrue(!Files.exists(out.resolve("step-3")));
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("params_after").asLong() < 0.6 * j.get("params_before").asLong(), r.out());
        assertBad(
                run(
                        "prune",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--method",
                        "bn",
                        "--ratio",
                        "0.5",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString()),
                "add --steps k");
    }

    @Test
    void reconstructRefitsOnCalibrationImages(@TempDir Path dir) throws Exception {
        Path data =
                io.prunesweep.data.SyntheticDatasetSpec.parse("shapes:train=8,val=4")
                        .materialize(dir, 64);
        Path out = dir.resolve("rec");
        CliRun r =
                run(
                        pruneYolov8n(
                                "3",
                                "l1",
                                "0.4",
                                "--reconstruct",
                                "--calib-images",
                                "6",
                                "--data",
                                data.toString(),
                                "--imgsz",
                                "64",
                                "--out",
                                out.toString(),
                                "--json"));
        assertEquals(0, r.code(), r.err());
        JsonNode rec = new ObjectMapper().readTree(r.out()).get("reconstruct");
        assertEquals(6, rec.get("calib_images").asInt());
        assertTrue(rec.get("convs").asInt() > 30, r.out());
        assertTrue(
                rec.get("mean_relative_error_after").asDouble()
                        < rec.get("mean_relative_error_before").asDouble(),
                r.out());
        try (YoloModel m =
                Checkpoint.load(
                        out.resolve(PruneCommand.CHECKPOINT).toString(), null, Device.cpu())) {
            assertEquals(
                    new ObjectMapper().readTree(r.out()).get("params_after").asLong(),
                    m.graph().parameterCount());
        }
        assertBad(
                run(pruneYolov8n("3", "l1", "0.4", "--reconstruct", "--out", out.toString())),
                "--reconstruct needs --data");
        assertBad(
                run(
                        pruneYolov8n(
                                "3",
                                "l1",
                                "0.4",
                                "--reconstruct",
                                "--data",
                                data.toString(),
                                "--steps",
                                "2",
                                "--out",
                                out.toString())),
                "one pruning step");
        assertBad(
                run(
                        pruneYolov8n(
                                "3",
                                "l1",
                                "0.4",
                                "--reconstruct",
                                "--data",
                                data.toString(),
                                "--calib-images",
                                "0",
                                "--imgsz",
                                "64",
                                "--out",
                                out.toString())),
                "--calib-images 0");
        assertBad(
                run(
                        pruneYolov8n(
                                "3",
                                "l1",
                                "0.4",
                                "--reconstruct",
                                "--data",
                                data.toString(),
                                "--out",
                                out.toString())),
                "--reconstruct calibrates on training images letterboxed to --imgsz");
        assertBad(
                run(
                        pruneYolov8n(
                                "3",
                                "unstructured",
                                "0.4",
                                "--reconstruct",
                                "--data",
                                data.toString(),
                                "--out",
                                out.toString())),
                "unstructured pruning removes no channel");
    }

    @Test
    void unstructuredZeroesWeightsAndMarksTheCheckpoint(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("u");
        CliRun r = run(pruneYolov8n("2", "unstructured", "0.7", "--out", out.toString(), "--json"));
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(
                j.get("params_before").asLong(), j.get("params_after").asLong(), "dense shapes");
        long nonzero = j.get("nonzero_params_after").asLong();
        assertTrue(
                nonzero < 0.35 * j.get("params_after").asLong()
                        && nonzero > 0.25 * j.get("params_after").asLong(),
                r.out());
        Path ckpt = out.resolve(PruneCommand.CHECKPOINT);
        assertEquals(
                "zeros",
                Checkpoint.metadata(ckpt.toString())
                        .get(io.prunesweep.train.WeightMasks.METADATA_KEY),
                "finetune keeps the zeros of a checkpoint marked like this");
        CliRun text =
                run(
                        pruneYolov8n(
                                "2", "unstructured", "0.7", "--out", dir.resolve("u2").toString()));
        assertTrue(text.out().contains("nonzero params 3,011,238 -> "), text.out());
        assertBad(
                run(
                        "prune",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--method",
                        "unstructured",
                        "--target-params",
                        "0.5",
                        "--out",
                        out.toString()),
                "give --ratio, the fraction of conv weights set to 0");
    }

    @Test
    void badInputIsOneClearLine(@TempDir Path dir) {
        String out = dir.toString();
        assertBad(
                run(
                        "prune",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--method",
                        "bn",
                        "--ratio",
                        "1.2",
                        "--out",
                        out),
                "--ratio 1.2 is outside [0, 1)");
        assertBad(
                run(
                        "prune",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--method",
                        "taylor",
                        "--ratio",
                        "0.2",
                        "--out",
                        out),
                "unknown pruning method 'taylor'");
        assertBad(
                run(
                        "prune",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--method",
                        "bn",
                        "--ratio",
                        "0.2",
                        "--target-params",
                        "0.5",
                        "--out",
                        out),
                "not both");
        assertBad(
                run("prune", "--model", "yolov8", "--scale", "n", "--method", "bn", "--out", out),
                "give --ratio");
        assertBad(
                run(
                        "prune",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--method",
                        "bn",
                        "--ratio",
                        "0.2",
                        "--overrides",
                        dir.resolve("none.yaml").toString(),
                        "--out",
                        out),
                "none.yaml: overrides file not found");
        assertTrue(!Files.exists(dir.resolve(PruneCommand.CHECKPOINT)));
    }

    private static void assertBad(CliRun r, String part) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(part), r.err());
    }
}
