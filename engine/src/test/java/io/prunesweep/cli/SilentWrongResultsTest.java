package io.prunesweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data that would train or validate to wrong numbers without a word: each case is one clear line and an exit code. */
class SilentWrongResultsTest {
    @TempDir Path tmp;
    String yaml;

    @BeforeEach
    void synth() {
        CliRun r = CliRun.of("data", "synth", "--out", tmp.toString(), "--train", "6", "--val", "2", "--imgsz", "64");
        assertEquals(0, r.code(), r.err());
        yaml = tmp.resolve("data.yaml").toString();
    }

    @Test
    void misnamedLabelsFolderIsLoudAndTrainRefusesIt() throws Exception {
        Files.move(tmp.resolve("labels"), tmp.resolve("label"));
        CliRun check = CliRun.of("data", "check", "--data", yaml);
        assertEquals(2, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("train: 6 images, 6 backgrounds, 0 boxes, NO LABEL FILES\n"), check.out());
        assertTrue(check.out().contains("warning: train: none of the 6 images has a label file (the first expected at "
                + "file:" + tmp.resolve("labels/train/000000.txt") + "); labels must sit in a labels/ folder beside"
                + " images/"), check.out());
        assertEquals("error: data check: " + yaml + ": no label files (train without label files, val without label"
                + " files); fix them, or pass --warn-only to accept\n", check.err());

        CliRun train = CliRun.of("train", "--model", "yolov8", "--scale", "n", "--data", yaml, "--out",
                tmp.resolve("run").toString(), "--epochs", "1", "--imgsz", "64", "--batch", "2");
        assertEquals(2, train.code(), train.out() + train.err());
        assertEquals("error: " + yaml + ": the train split has 0 boxes in 6 images (no label files: expected file:"
                + tmp.resolve("labels/train/000000.txt") + "); training would learn nothing. Fix the labels, or pass"
                + " --allow-empty\n", train.err());
    }

    @Test
    void mostlyBackgroundsIsAWarning() throws Exception {
        for (int i = 0; i < 4; i++) {
            Files.delete(tmp.resolve("labels/train/00000" + i + ".txt"));
        }
        CliRun check = CliRun.of("data", "check", "--data", yaml);
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("warning: train: 4 of 6 images (67 %) are backgrounds (no boxes), e.g. no file:"
                + tmp.resolve("labels/train/000000.txt") + "; check the labels\n"), check.out());
    }

    @Test
    void checkCountsEveryProblemAndSaysHowManyMore() throws Exception {
        String bad = IntStream.range(0, 12).mapToObj(i -> "x 0.5 0.5 0.1 0.1").collect(Collectors.joining("\n"));
        Files.writeString(tmp.resolve("labels/train/000000.txt"), bad + "\n");
        Files.write(tmp.resolve("images/train/000001.jpg"), new byte[] {1, 2, 3});
        CliRun check = CliRun.of("data", "check", "--data", yaml);
        assertEquals(2, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("  1 x unreadable image (skipped)\n  12 x malformed label line (skipped)\n"),
                check.out());
        assertTrue(check.out().contains("  ... and 3 more\n"), check.out());
        assertEquals("error: data check: " + yaml + ": 13 images, label lines or label files would be skipped (train);"
                + " fix them, or pass --warn-only to accept\n", check.err());
        CliRun lenient = CliRun.of("data", "check", "--data", yaml, "--warn-only");
        assertEquals(0, lenient.code(), lenient.out() + lenient.err());
        assertTrue(lenient.out().endsWith("warning: data check: " + yaml + ": 13 images, label lines or label files"
                + " would be skipped (train); --warn-only, exit 0\n"), lenient.out());
    }
}
