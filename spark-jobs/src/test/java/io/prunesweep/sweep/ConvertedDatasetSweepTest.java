package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.testing.TestSweeps;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep whose {@code data.dataset} is {@code voc:<folder>}: the YAML validates, the stage JVMs
 * (toy executor) convert the VOC fixture once into the data cache and reuse it, and a re-run
 * converts nothing again.
 */
class ConvertedDatasetSweepTest {
    @TempDir Path dir;

    static Path vocFixture(Path root) throws Exception {
        Path src = root.resolve("VOC2012");
        Files.createDirectories(src.resolve("Annotations"));
        Files.createDirectories(src.resolve("ImageSets/Main"));
        Files.createDirectories(src.resolve("JPEGImages"));
        String[][] objects = {{"0001", "dog"}, {"0002", "cat"}, {"0003", "cat"}};
        for (String[] o : objects) {
            ImageIO.write(
                    new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR),
                    "jpg",
                    src.resolve("JPEGImages/" + o[0] + ".jpg").toFile());
            Files.writeString(
                    src.resolve("Annotations/" + o[0] + ".xml"),
                    "<annotation><filename>"
                            + o[0]
                            + ".jpg</filename><size><width>64</width><height>48</height><depth>3</depth></size><object><name>"
                            + o[1]
                            + "</name><difficult>0</difficult><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>30</xmax>"
                            + "<ymax>40</ymax></bndbox></object></annotation>");
        }
        Files.writeString(src.resolve("ImageSets/Main/train.txt"), "0001\n0002\n");
        Files.writeString(src.resolve("ImageSets/Main/val.txt"), "0003\n");
        return src;
    }

    @Test
    void aVocSourceIsConvertedOnceAndSweptOn() throws Exception {
        Path src = vocFixture(dir);
        Path cache = dir.resolve("cache");
        Path out = dir.resolve("out");
        SweepConfig c =
                TestSweeps.config(
                        dir,
                        "voc",
                        TestSweeps.path(out),
                        "data.dataset=voc:" + src,
                        "sparse.lambdas=[0]",
                        "prune.methods=[bn]",
                        "prune.ratios=[0.25,0.5]",
                        "spark.child_java_options=[-XX:TieredStopAtLevel=1,-Dprunesweep.executor=io.prunesweep.sweep.testing."
                                + "ToyStageExecutor,-Dprunesweep.dataCache="
                                + cache
                                + "]");
        SparkSession spark = SweepJob.session(c);
        try {
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            SweepRunner.Outcome first =
                    new SweepRunner(c, new PrintStream(console, true)).run(spark);
            assertEquals(2, first.report().okPoints(), console.toString());
            List<Path> converted;
            try (Stream<Path> s = Files.list(cache)) {
                converted = s.toList();
            }
            assertEquals(
                    1, converted.size(), "one conversion, no temporary folder left: " + converted);
            assertTrue(
                    converted.get(0).getFileName().toString().startsWith("voc-"),
                    converted.toString());
            String yaml = Files.readString(converted.get(0).resolve("data.yaml"));
            assertTrue(yaml.contains("0: \"cat\"") && yaml.contains("1: \"dog\""), yaml);
            long written =
                    Files.getLastModifiedTime(converted.get(0).resolve("data.yaml")).toMillis();

            SweepConfig again =
                    TestSweeps.config(
                            dir,
                            "voc2",
                            TestSweeps.path(dir.resolve("out2")),
                            "data.dataset=voc:" + src,
                            "sparse.lambdas=[0]",
                            "prune.methods=[bn]",
                            "prune.ratios=[0.25]",
                            "spark.child_java_options=[-XX:TieredStopAtLevel=1,-Dprunesweep.executor=io.prunesweep.sweep."
                                    + "testing.ToyStageExecutor,-Dprunesweep.dataCache="
                                    + cache
                                    + "]");
            SweepRunner.Outcome second =
                    new SweepRunner(again, new PrintStream(console, true)).run(spark);
            assertEquals(1, second.report().okPoints(), console.toString());
            assertEquals(
                    written,
                    Files.getLastModifiedTime(converted.get(0).resolve("data.yaml")).toMillis(),
                    "reused, not converted again");
        } finally {
            spark.stop();
        }
    }
}
