package io.prunesweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
    @TempDir Path tmp;

    private String run(int expectedCode, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(expectedCode, cl.execute(args), out + "\n" + err);
        return out + err.toString();
    }

    @Test
    void synthThenCheckThenBench() throws Exception {
        String out =
                run(
                        0,
                        "data",
                        "synth",
                        "--out",
                        tmp.toString(),
                        "--train",
                        "4",
                        "--val",
                        "2",
                        "--imgsz",
                        "64",
                        "--seed",
                        "3");
        assertTrue(out.contains("wrote 4 train + 2 val images"), out);
        assertTrue(Files.exists(tmp.resolve("images/train/000003.jpg")));
        String yaml = tmp.resolve("data.yaml").toString();

        Files.writeString(tmp.resolve("labels/train/000000.txt"), "7 0.5 0.5 0.1 0.1\n");
        String check = run(2, "data", "check", "--data", yaml);
        assertTrue(check.contains("  1 x label line with class >= nc (skipped)"), check);
        assertTrue(
                check.endsWith(
                        "error: data check: "
                                + yaml
                                + ": would skip 1 label line; fix the data, or pass"
                                + " --warn-only to accept it\n"),
                check);
        check = run(0, "data", "check", "--data", yaml, "--warn-only");
        assertTrue(check.contains("train: 4 images"), check);
        assertTrue(check.contains("1 class>=nc"), check);
        assertTrue(check.contains("000000.txt:1: class 7 >= nc 3"), check);
        assertTrue(check.contains("val: 2 images"), check);

        String bench =
                run(
                        0,
                        "data",
                        "bench",
                        "--data",
                        yaml,
                        "--imgsz",
                        "64",
                        "--batch",
                        "2",
                        "--workers",
                        "2",
                        "--cache",
                        "--batches",
                        "2",
                        "--warmup",
                        "1");
        assertTrue(bench.contains("bench: 4 samples in"), bench);
        assertTrue(bench.contains("mosaic on, cache on"), bench);
    }

    @Test
    void missingYamlIsOneClearLine() {
        String out = run(2, "data", "check", "--data", tmp.resolve("nope.yaml").toString());
        assertTrue(
                out.startsWith("error: ")
                        && out.contains("nope.yaml: cannot read the dataset YAML"),
                out);
    }
}
