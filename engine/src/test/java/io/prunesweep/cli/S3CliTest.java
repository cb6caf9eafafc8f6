package io.prunesweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.io.FileSystems;
import io.prunesweep.testing.LocalS3;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine commands on s3a:// (hadoop-aws on the engine's classpath), against a local S3 server.
 */
class S3CliTest {
    @TempDir static Path dir;
    static LocalS3 s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = LocalS3.start(dir.resolve("s3"), "data");
        Map<String, String> conf = new LinkedHashMap<>();
        s3.s3aSettings().forEach((k, v) -> conf.put("fs.s3a." + k, v));
        conf.put("fs.s3a.bucket.unreachable.endpoint", "http://127.0.0.1:1"); // a closed port
        FileSystems.configure(conf);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    @Test
    void dataCheckTrainAndValReadAndWriteS3() {
        CliRun synth =
                CliRun.of(
                        "data",
                        "synth",
                        "--out",
                        "s3a://data/shapes",
                        "--train",
                        "4",
                        "--val",
                        "2",
                        "--imgsz",
                        "64");
        assertEquals(0, synth.code(), synth.out() + synth.err());
        String yaml = "s3a://data/shapes/data.yaml";

        CliRun check = CliRun.of("data", "check", "--data", yaml);
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("train: 4 images, 0 backgrounds"), check.out());

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
                        "s3a://data/run",
                        "--epochs",
                        "1",
                        "--imgsz",
                        "64",
                        "--batch",
                        "2",
                        "--workers",
                        "1");
        assertEquals(0, train.code(), train.out() + train.err());

        CliRun val =
                CliRun.of(
                        "val",
                        "--weights",
                        "s3a://data/run/best.safetensors",
                        "--data",
                        yaml,
                        "--imgsz",
                        "64",
                        "--json");
        assertEquals(0, val.code(), val.out() + val.err());
        assertTrue(val.out().contains("\"model\" : \"yolov8n\""), val.out());
    }

    /**
     * data convert reads a VOC folder from s3a:// and writes the YOLO set back; data stats reads it
     * there.
     */
    @Test
    void convertAndStatsOnS3() throws Exception {
        Path voc = io.prunesweep.data.convert.ConvertFixtures.voc(dir.resolve("local"));
        try (var files =
                java.nio.file.Files.walk(
                        voc)) { // upload (FileUtil.copy lacks a class in the shaded client)
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                byte[] b = java.nio.file.Files.readAllBytes(f);
                FileSystems.writeAtomically(
                        "s3a://data/VOC2012/" + voc.relativize(f), o -> o.write(b));
            }
        }

        CliRun convert =
                CliRun.of(
                        "data",
                        "convert",
                        "--from",
                        "voc",
                        "--src",
                        "s3a://data/VOC2012",
                        "--out",
                        "s3a://data/voc-yolo");
        assertEquals(0, convert.code(), convert.out() + convert.err());
        assertTrue(convert.out().contains("classes (3): cat, dog, person"), convert.out());
        assertTrue(FileSystems.exists("s3a://data/voc-yolo/images/val/0003.jpg"));

        CliRun stats = CliRun.of("data", "stats", "--data", "s3a://data/voc-yolo/data.yaml");
        assertEquals(0, stats.code(), stats.out() + stats.err());
        assertTrue(stats.out().contains("chart: s3a://data/voc-yolo/stats.png"), stats.out());
        assertTrue(FileSystems.exists("s3a://data/voc-yolo/stats.png"));
    }

    @Test
    void anUnreachableEndpointIsOneLineWithinSeconds() {
        long t0 = System.nanoTime();
        CliRun check = CliRun.of("data", "check", "--data", "s3a://unreachable/shapes/data.yaml");
        assertEquals(2, check.code(), check.out() + check.err());
        assertTrue(
                check.err()
                        .startsWith(
                                "error: s3a://unreachable/shapes/data.yaml: cannot read the dataset YAML:"
                                        + " s3a endpoint http://127.0.0.1:1: ConnectException: Connection refused"),
                check.err());
        assertEquals(1, check.err().lines().count(), check.err());
        assertTrue(System.nanoTime() - t0 < 15e9, "within 15 s");
    }
}
