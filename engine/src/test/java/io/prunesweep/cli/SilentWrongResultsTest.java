package io.prunesweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.SafeTensors;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.YoloModel;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data that would train or validate to wrong numbers without a word: each case is one clear line
 * and an exit code.
 */
class SilentWrongResultsTest {
    @TempDir Path tmp;
    String yaml;

    @BeforeEach
    void synth() {
        CliRun r =
                CliRun.of(
                        "data",
                        "synth",
                        "--out",
                        tmp.toString(),
                        "--train",
                        "6",
                        "--val",
                        "2",
                        "--imgsz",
                        "64");
        assertEquals(0, r.code(), r.err());
        yaml = tmp.resolve("data.yaml").toString();
    }

    @Test
    void misnamedLabelsFolderIsLoudAndTrainRefusesIt() throws Exception {
        Files.move(tmp.resolve("labels"), tmp.resolve("label"));
        CliRun check = CliRun.of("data", "check", "--data", yaml);
        assertEquals(2, check.code(), check.out() + check.err());
        assertTrue(
                check.out().contains("train: 6 images, 6 backgrounds, 0 boxes, NO LABEL FILES\n"),
                check.out());
        assertTrue(
                check.out()
                        .contains(
                                "warning: train: none of the 6 images has a label file (the first expected at "
                                        + "file:"
                                        + tmp.resolve("labels/train/000000.txt")
                                        + "); labels must sit in a labels/ folder beside"
                                        + " images/"),
                check.out());
        assertEquals(
                "error: data check: "
                        + yaml
                        + ": no label files in train and val; fix the data, or pass"
                        + " --warn-only to accept it\n",
                check.err());

        CliRun train =
                CliRun.of(
                        "train",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--data",
                        yaml,
                        "--out",
                        tmp.resolve("run").toString(),
                        "--epochs",
                        "1",
                        "--imgsz",
                        "64",
                        "--batch",
                        "2");
        assertEquals(2, train.code(), train.out() + train.err());
        assertEquals(
                "error: "
                        + yaml
                        + ": the train split has 0 boxes in 6 images (no label files: expected file:"
                        + tmp.resolve("labels/train/000000.txt")
                        + "); training would learn nothing. Fix the labels, or pass"
                        + " --allow-empty\n",
                train.err());
    }

    @Test
    void mostlyBackgroundsIsAWarning() throws Exception {
        for (int i = 0; i < 4; i++) {
            Files.delete(tmp.resolve("labels/train/00000" + i + ".txt"));
        }
        CliRun check = CliRun.of("data", "check", "--data", yaml);
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(
                check.out()
                        .contains(
                                "warning: train: 4 of 6 images (67 %) are backgrounds (no boxes), e.g. no file:"
                                        + tmp.resolve("labels/train/000000.txt")
                                        + "; check the labels\n"),
                check.out());
    }

    @Test
    void checkCountsEveryProblemAndSaysHowManyMore() throws Exception {
        String bad =
                IntStream.range(0, 12)
                        .mapToObj(i -> "x 0.5 0.5 0.1 0.1")
                        .collect(Collectors.joining("\n"));
        Files.writeString(tmp.resolve("labels/train/000000.txt"), bad + "\n");
        Files.write(tmp.resolve("images/train/000001.jpg"), new byte[] {1, 2, 3});
        CliRun check = CliRun.of("data", "check", "--data", yaml);
        assertEquals(2, check.code(), check.out() + check.err());
        assertTrue(
                check.out()
                        .contains(
                                "  1 x unreadable image (skipped)\n  12 x malformed label line (skipped)\n"),
                check.out());
        assertTrue(check.out().contains("  ... and 3 more\n"), check.out());
        assertEquals(
                "error: data check: "
                        + yaml
                        + ": would skip 1 image, 12 label lines; fix the data, or pass"
                        + " --warn-only to accept it\n",
                check.err());
        CliRun lenient = CliRun.of("data", "check", "--data", yaml, "--warn-only");
        assertEquals(0, lenient.code(), lenient.out() + lenient.err());
        assertTrue(
                lenient.out()
                        .endsWith(
                                "warning: data check: "
                                        + yaml
                                        + ": would skip 1 image, 12 label lines;"
                                        + " --warn-only, exit 0\n"),
                lenient.out());
    }

    /**
     * A seeded yolov8n at nc=3 (the synthetic data's classes): as a PruneSweep checkpoint and as a
     * plain state dict.
     */
    private Path weights(String name, boolean plain) throws Exception {
        Path file = tmp.resolve(name);
        try (YoloModel m =
                YoloModel.create(
                        GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 3),
                        1,
                        Device.cpu())) {
            if (plain) {
                try (OutputStream o = Files.newOutputStream(file)) {
                    SafeTensors.write(o, m.stateDict(), Map.of());
                }
            } else {
                Checkpoint.save(m, file.toString(), Map.of());
            }
        }
        return file;
    }

    @Test
    void checkpointRefusesContradictingModelOptions() throws Exception {
        Path ck = weights("v8n.safetensors", false);
        CliRun val =
                CliRun.of(
                        "val",
                        "--weights",
                        ck.toString(),
                        "--model",
                        "yolo11",
                        "--scale",
                        "s",
                        "--data",
                        yaml,
                        "--imgsz",
                        "64");
        assertEquals(2, val.code(), val.out() + val.err());
        assertEquals(
                "error: "
                        + ck
                        + " is a PruneSweep checkpoint of yolov8n (nc=3) and carries its own graph;"
                        + " --model yolo11 --scale s contradicts it: drop them\n",
                val.err());
        CliRun export =
                CliRun.of(
                        "export",
                        "--weights",
                        ck.toString(),
                        "--nc",
                        "80",
                        "--out",
                        tmp.resolve("x.onnx").toString());
        assertEquals(2, export.code(), export.out() + export.err());
        assertEquals(
                "error: "
                        + ck
                        + " is a PruneSweep checkpoint of yolov8n (nc=3) and carries its own graph;"
                        + " --nc 80 contradicts it: drop it\n",
                export.err());
    }

    @Test
    void ultralyticsStateDictTakesTheClassCountFromTheData() throws Exception {
        Path plain = weights("state_dict.safetensors", true);
        CliRun val =
                CliRun.of(
                        "val",
                        "--weights",
                        plain.toString(),
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--data",
                        yaml,
                        "--imgsz",
                        "64",
                        "--json");
        assertEquals(0, val.code(), val.out() + val.err());
        assertTrue(val.out().contains("\"model\" : \"yolov8n\""), val.out());
    }

    @Test
    void safetensorsWhoseDtypeDoesNotMatchItsBytesIsRefused() throws Exception {
        Path ck = weights("v8n.safetensors", false);
        byte[] bytes = Files.readAllBytes(ck);
        // "F32" -> "F16" keeps the header length: the first tensor now claims half its bytes
        Path half = tmp.resolve("f16-over-f32.safetensors");
        Files.write(half, replaceFirst(bytes, "\"F32\"", "\"F16\""));
        CliRun r = CliRun.of("val", "--weights", half.toString(), "--data", yaml, "--imgsz", "64");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "error: "
                        + half
                        + ": tensor model.0.conv.weight is F16 [16, 3, 3, 3] = 432 x 2 bytes = 864 bytes,"
                        + " but its data_offsets span 1728 bytes; the header does not match the data (wrong dtype?), not loaded\n",
                r.err());
        // "F32" -> "F64": the data is too short for what the header says
        Path dbl = tmp.resolve("f64-over-f32.safetensors");
        Files.write(dbl, replaceFirst(bytes, "\"F32\"", "\"F64\""));
        r = CliRun.of("val", "--weights", dbl.toString(), "--data", yaml, "--imgsz", "64");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(
                "error: "
                        + dbl
                        + ": tensor model.0.conv.weight is F64 [16, 3, 3, 3] = 432 x 8 bytes = 3456 bytes,"
                        + " but its data_offsets span 1728 bytes; the header does not match the data (wrong dtype?), not loaded\n",
                r.err());
    }

    private static byte[] replaceFirst(byte[] file, String from, String to) {
        String s = new String(file, StandardCharsets.ISO_8859_1);
        return s.replaceFirst(java.util.regex.Pattern.quote(from), to)
                .getBytes(StandardCharsets.ISO_8859_1);
    }
}
