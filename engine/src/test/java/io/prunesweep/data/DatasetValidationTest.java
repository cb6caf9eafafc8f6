package io.prunesweep.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

/**
 * Every bad-data case is counted, reported with file:line, and the epoch still runs on the good
 * samples.
 */
class DatasetValidationTest {
    @TempDir static Path root;
    static YoloDataset dataset;

    @BeforeAll
    static void writeDataset() throws Exception {
        OpenCvNatives.load();
        Mat img = new Mat(48, 64, CvType.CV_8UC3, new Scalar(20, 40, 60));
        Path images = root.resolve("images/train");
        Path labels = root.resolve("labels/train");
        // a.jpg: good, with a malformed line, a class >= nc, an out-of-range line, a zero-area box,
        // a duplicate
        TestFiles.writeImage(images.resolve("a.jpg"), img);
        TestFiles.writeText(
                labels.resolve("a.txt"),
                String.join(
                        "\n",
                        "0 0.5 0.5 0.2 0.2",
                        "1 0.5 0.5 oops 0.2",
                        "3 0.5 0.5 0.2 0.2",
                        "2 0.5 1.2 0.2 0.2",
                        "1 0.3 0.3 0 0.1",
                        "0 0.5 0.5 0.2 0.2",
                        "",
                        "2 0.25 0.25 0.1 0.1"));
        // b.png: no label file = background; c.png: empty label file = background
        TestFiles.writeImage(images.resolve("b.png"), img);
        TestFiles.writeImage(images.resolve("c.png"), img);
        TestFiles.writeText(labels.resolve("c.txt"), "\n");
        // d.jpg: polygon label (becomes its bounding box) and a class written as 1.0
        TestFiles.writeImage(images.resolve("d.jpg"), img);
        TestFiles.writeText(
                labels.resolve("d.txt"), "1 0.1 0.1 0.3 0.1 0.3 0.4\n1.0 0.6 0.6 0.2 0.2\n");
        // e.jpg: not an image at all; f.jpg: a JPEG cut in half; g.png: a PNG without its end
        TestFiles.writeText(images.resolve("e.jpg"), "definitely not a jpeg");
        byte[] jpg = ImageCodec.encode(img, ".jpg");
        TestFiles.write(images.resolve("f.jpg"), Arrays.copyOf(jpg, jpg.length / 2));
        TestFiles.writeText(labels.resolve("f.txt"), "0 0.5 0.5 0.2 0.2\n");
        byte[] png = ImageCodec.encode(img, ".png");
        TestFiles.write(images.resolve("g.png"), Arrays.copyOf(png, png.length - 20));
        TestFiles.writeYaml(root, "images/train", null, "[a, b, c]");
        dataset =
                YoloDataset.scan(
                        DatasetConfig.load(
                                TestFiles.hadoop(root.resolve("data.yaml")), new Configuration()),
                        "train",
                        new Configuration(),
                        2);
    }

    @Test
    void countsEveryProblem() {
        DatasetReport r = dataset.report();
        assertEquals(4, r.images());
        assertEquals(2, r.backgrounds());
        assertEquals(1, r.unreadable());
        assertEquals(2, r.truncated());
        assertEquals(1, r.malformed());
        assertEquals(1, r.classOutOfRange());
        assertEquals(1, r.outOfRange());
        assertEquals(1, r.zeroArea());
        assertEquals(1, r.duplicates());
        assertEquals(2 + 2, r.boxes());
        assertEquals(
                "train: 4 images, 2 backgrounds, 4 boxes, skipped 3 images (1 unreadable, 2 truncated),"
                        + " 4 label lines (1 malformed, 1 class>=nc, 1 out of range, 1 zero-area), 1 duplicate boxes",
                r.summary());
    }

    @Test
    void messagesNameFileAndLine() {
        String all = String.join("\n", dataset.report().examples());
        assertTrue(all.contains("a.txt:2: malformed"), all);
        assertTrue(all.contains("a.txt:3: class 3 >= nc 3"), all);
        assertTrue(all.contains("a.txt:4: coordinates outside [0, 1]"), all);
        assertTrue(all.contains("a.txt:5: zero-area"), all);
        assertTrue(all.contains("a.txt:6: duplicate"), all);
        assertTrue(all.contains("e.jpg: not a decodable image"), all);
        assertTrue(all.contains("f.jpg: JPEG has no end-of-image marker"), all);
        assertTrue(all.contains("g.png: PNG has no IEND chunk"), all);
    }

    @Test
    void keptLabelsAreTheGoodLines() {
        LabeledImage a = dataset.get(0);
        assertTrue(a.image().getName().equals("a.jpg"));
        assertEquals(48, a.height());
        assertEquals(64, a.width());
        assertTrue(
                Arrays.equals(
                        new float[] {0, 0.5f, 0.5f, 0.2f, 0.2f, 2, 0.25f, 0.25f, 0.1f, 0.1f},
                        a.labels()),
                Arrays.toString(a.labels()));
        LabeledImage d = dataset.get(3);
        assertEquals(1f, d.labels()[0]);
        assertEquals(0.2f, d.labels()[1], 1e-6); // polygon x 0.1..0.3
        assertEquals(0.25f, d.labels()[2], 1e-6); // polygon y 0.1..0.4
        assertEquals(0.2f, d.labels()[3], 1e-6);
        assertEquals(0.3f, d.labels()[4], 1e-6);
    }

    @Test
    void epochCompletesWithTheGoodSamples() {
        DetectionLoader.Options opts =
                DetectionLoader.Options.train(64, 3).withWorkers(2).withEpochs(2);
        try (DetectionLoader loader = new DetectionLoader(dataset, opts)) {
            assertEquals(2, loader.size());
            Set<String> seen = new HashSet<>();
            int images = 0;
            try (DetectionLoader.Epoch epoch = loader.epoch(0)) {
                for (Batch b : epoch) {
                    images += b.size();
                    b.infos()
                            .forEach(
                                    i ->
                                            seen.add(
                                                    i.path()
                                                            .substring(
                                                                    i.path().lastIndexOf('/')
                                                                            + 1)));
                }
            }
            assertEquals(4, images);
            assertEquals(Set.of("a.jpg", "b.png", "c.png", "d.jpg"), seen);
        }
    }

    @Test
    void filesAreReadThroughAHadoopFileUri() throws Exception {
        String uri = "file://" + root.resolve("data.yaml").toAbsolutePath();
        DatasetConfig cfg = DatasetConfig.load(uri, new Configuration());
        assertEquals("file", cfg.source().toUri().getScheme());
        YoloDataset ds = YoloDataset.scan(cfg, "train", new Configuration(), 1);
        assertEquals(4, ds.size());
        assertTrue(ds.get(0).image().toString().startsWith("file:/"), ds.get(0).image().toString());
        // a .txt list with ./relative and absolute URI lines, relative to the list's folder
        TestFiles.writeText(
                root.resolve("list.txt"),
                "./images/train/a.jpg\n" + root.resolve("images/train/d.jpg").toUri() + "\n\n");
        TestFiles.writeText(
                root.resolve("list.yaml"), "path: .\ntrain: list.txt\nnames: {0: a, 1: b, 2: c}\n");
        YoloDataset listed =
                YoloDataset.scan(
                        DatasetConfig.load(
                                "file://" + root.resolve("list.yaml"), new Configuration()),
                        "train",
                        new Configuration(),
                        1);
        assertEquals(2, listed.size());
        assertEquals(3, listed.nc());
        assertEquals(4, listed.report().boxes()); // a.jpg keeps 2 boxes, d.jpg 2
        assertTrue(Files.exists(root.resolve("images/train/a.jpg")));
    }
}
