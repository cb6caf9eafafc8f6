package io.prunesweep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.model.Devices;
import io.prunesweep.model.YoloModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad data goes through a real training epoch: the start summary names what was
 * skipped and why, and the epoch completes on the good images (finite losses, every batch of the
 * usable images, a checkpoint). An image that disappears after the scan is skipped where it is
 * needed (also as a mosaic partner) and reported after the epoch.
 */
class BadDataTrainingTest {
    @TempDir Path dir;

    @Test
    void badDataIsReportedAndTheEpochRunsOnTheGoodImages() throws Exception {
        Path root = dir.resolve("data");
        TrainFixtures.synth(root, 8, 4, 64, 3); // 8 good training images 000000..000007 with labels
        Path images = root.resolve("images/train");
        Path labels = root.resolve("labels/train");
        byte[] good = Files.readAllBytes(images.resolve("000000.jpg"));
        // unreadable: not an image at all; truncated: a JPEG cut in half
        Files.writeString(images.resolve("unreadable.jpg"), "not an image");
        Files.write(images.resolve("truncated.jpg"), Arrays.copyOf(good, good.length / 2));
        Files.writeString(labels.resolve("truncated.txt"), "0 0.5 0.5 0.2 0.2\n");
        // a good image whose label file has one good line and one line of each bad kind
        Files.write(images.resolve("badlabels.jpg"), good);
        Files.writeString(
                labels.resolve("badlabels.txt"),
                String.join(
                        "\n",
                        "1 0.40 0.40 0.20 0.20", // good
                        "0 0.5 0.5 0.2", // malformed: 4 values
                        "7 0.5 0.5 0.2 0.2", // class 7 >= nc 3
                        "2 1.30 0.5 0.2 0.2", // x outside [0, 1]
                        "0 0.5 0.5 0.0 0.3", // zero width
                        "1 0.40 0.40 0.20 0.20"), // duplicate of line 1
                StandardCharsets.UTF_8);
        // a good image without a label file: a background image, kept
        Files.write(images.resolve("nolabel.jpg"), good);

        DatasetConfig data =
                DatasetConfig.load(
                        TrainFixtures.hadoop(root.resolve("data.yaml")), TrainFixtures.CONF);
        YoloDataset train = TrainFixtures.scan(data, "train");
        YoloDataset val = TrainFixtures.scan(data, "val");
        assertEquals(10, train.size()); // 8 + badlabels + nolabel
        // and one image disappears after the scan: it must not stop the epoch either
        Files.delete(images.resolve("000007.jpg"));

        List<String> summaries = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<double[]> batches = new ArrayList<>();
        TrainListener listener =
                new TrainListener() {
                    @Override
                    public void onStart(
                            int startEpoch, int epochs, int batchesPerEpoch, String summary) {
                        summaries.add(summary);
                    }

                    @Override
                    public void onDataProblems(List<String> examples) {
                        problems.addAll(examples);
                    }

                    @Override
                    public void onBatch(
                            int epoch,
                            int batch,
                            int n,
                            double box,
                            double cls,
                            double dfl,
                            double ips) {
                        batches.add(new double[] {batch, n, box, cls, dfl});
                    }
                };
        TrainConfig cfg =
                TrainConfig.defaults()
                        .with(
                                b -> {
                                    b.epochs = 1;
                                    b.batch = 4;
                                    b.imgsz = 64;
                                    b.workers = 2;
                                });
        Trainer.Result result;
        try (YoloModel model =
                YoloModel.create(
                        TrainFixtures.yolov8Custom(0.33, 0.0625, 1024, 3), 0, Devices.current())) {
            result =
                    new Trainer(cfg, train, val, dir.resolve("run").toString(), listener)
                            .fit(model);
        }

        assertEquals(1, summaries.size());
        String s = summaries.get(0);
        assertTrue(s.startsWith("train: 10 images, 1 backgrounds, "), s);
        assertTrue(s.contains("skipped 2 images (1 unreadable, 1 truncated)"), s);
        assertTrue(
                s.contains("4 label lines (1 malformed, 1 class>=nc, 1 out of range, 1 zero-area)"),
                s);
        assertTrue(s.contains("1 duplicate boxes"), s);
        assertTrue(s.contains("val: 4 images"), s);
        String all = String.join("\n", problems);
        for (String expected :
                List.of(
                        "unreadable.jpg: not a decodable image",
                        "truncated.jpg: JPEG has no end-of-image",
                        "badlabels.txt:2: malformed",
                        "badlabels.txt:3: class 7 >= nc 3",
                        "badlabels.txt:4: coordinates outside",
                        "badlabels.txt:5: zero-area",
                        "badlabels.txt:6: duplicate",
                        "000007.jpg: cannot read any more")) {
            assertTrue(all.contains(expected), "no '" + expected + "' in:\n" + all);
        }

        // the epoch ran on the 10 usable images: 3 batches of 4, 4, 2, each with finite losses
        assertEquals(3, batches.size());
        for (double[] b : batches) {
            assertEquals(3, (int) b[1]);
            for (int k = 2; k < 5; k++) {
                assertTrue(Double.isFinite(b[k]) && b[k] > 0, Arrays.toString(b));
            }
        }
        assertEquals(1, result.epochs().size());
        assertTrue(Files.exists(dir.resolve("run/last.safetensors")));
        assertTrue(Double.isFinite(result.finalMetrics().map50()));
    }
}
