package io.prunesweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistyped options, unreadable YAML and unwritable targets: one line (and a pointer), exit 2,
 * before any work.
 */
class BadArgumentsTest {
    @TempDir Path tmp;

    @Test
    void aBadOptionValueIsOneLineAndAPointerToTheHelp() {
        CliRun r =
                CliRun.of(
                        "prune",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--method",
                        "l1",
                        "--ratio",
                        "abc");
        assertEquals(2, r.code(), r.err());
        assertEquals(
                "error: Invalid value for option '--ratio': 'abc' is not a double\nsee: prunesweep prune --help\n",
                r.err());
        assertEquals("", r.out());
    }

    @Test
    void aYamlSyntaxErrorNamesLineAndColumn() throws Exception {
        Path data =
                Files.writeString(
                        tmp.resolve("data.yaml"),
                        "train: images/train\nval: images/val\nnames: [a, b\n");
        CliRun r = CliRun.of("data", "check", "--data", data.toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(
                "error: file:"
                        + data
                        + ": not valid YAML: line 4, column 1: expected ',' or ']', but got <stream"
                        + " end> (while parsing a flow sequence from line 3, column 8)\n",
                r.err());
    }

    @Test
    void exportChecksItsTargetFirstAndSaysWhy() throws Exception {
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        String target = file + "/model.onnx";
        CliRun r =
                CliRun.of(
                        "export", "--model", "yolov8", "--scale", "n", "--nc", "2", "--imgsz", "64",
                        "--out", target);
        assertEquals(2, r.code(), r.err());
        assertEquals(
                "error: " + target + ": cannot write: " + file + " is a file, not a directory\n",
                r.err());
        assertEquals("", r.out(), "nothing exported");

        boolean denied;
        try {
            Files.delete(Files.createTempFile(Path.of("/sys"), "probe", ".onnx"));
            denied = false;
        } catch (AccessDeniedException e) {
            denied = true; // sysfs refuses new files even to root
        }
        if (denied) {
            r =
                    CliRun.of(
                            "export",
                            "--model",
                            "yolov8",
                            "--scale",
                            "n",
                            "--nc",
                            "2",
                            "--imgsz",
                            "64",
                            "--out",
                            "/sys/model.onnx");
            assertEquals(2, r.code(), r.err());
            assertEquals(
                    "error: /sys/model.onnx: cannot write: permission denied in /sys\n", r.err());
        }
    }

    @Test
    void pruneAndTheSweepReadMethodsWithOneParser() {
        CliRun r =
                CliRun.of(
                        "prune",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--nc",
                        "2",
                        "--method",
                        "L1",
                        "--ratio",
                        "0.2",
                        "--out",
                        tmp.resolve("p.safetensors").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("l1"), r.out());
    }
}
