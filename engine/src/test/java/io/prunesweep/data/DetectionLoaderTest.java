package io.prunesweep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionLoaderTest {
    @TempDir static Path root;
    static DatasetConfig config;
    static YoloDataset train;

    @BeforeAll
    static void synth() throws Exception {
        Configuration conf = new Configuration();
        SyntheticShapes.write(
                TestFiles.hadoop(root), new SyntheticShapes.Options(10, 3, 64, 1, ".jpg"), conf);
        config = DatasetConfig.load(TestFiles.hadoop(root.resolve("data.yaml")), conf);
        train = YoloDataset.scan(config, "train", conf, 2);
    }

    private static List<Batch> epoch(DetectionLoader loader, int e) {
        List<Batch> out = new ArrayList<>();
        try (DetectionLoader.Epoch it = loader.epoch(e)) {
            it.forEach(out::add);
        }
        return out;
    }

    @Test
    void batchesAreIdenticalWhateverTheWorkerCount() {
        DetectionLoader.Options opts =
                DetectionLoader.Options.train(64, 4)
                        .withSeed(5)
                        .withEpochs(3)
                        .withAugment(AugmentConfig.defaults().withCloseMosaic(1));
        try (DetectionLoader one = new DetectionLoader(train, opts.withWorkers(1).withPrefetch(1));
                DetectionLoader three =
                        new DetectionLoader(train, opts.withWorkers(3).withCache(true))) {
            assertEquals(3, one.size());
            for (int e = 0; e < 3; e++) {
                List<Batch> a = epoch(one, e);
                List<Batch> b = epoch(three, e);
                assertEquals(3, a.size());
                for (int i = 0; i < a.size(); i++) {
                    assertArrayEquals(
                            a.get(i).imageData(),
                            b.get(i).imageData(),
                            "epoch " + e + " batch " + i);
                    assertArrayEquals(
                            a.get(i).targetData(),
                            b.get(i).targetData(),
                            "epoch " + e + " batch " + i);
                    assertEquals(a.get(i).infos(), b.get(i).infos());
                }
            }
            assertTrue(one.mosaicOn(1));
            assertFalse(one.mosaicOn(2), "close_mosaic=1 of 3 epochs: last epoch without mosaic");
            assertFalse(
                    Arrays.equals(
                            epoch(one, 0).get(0).targetData(), epoch(one, 1).get(0).targetData()),
                    "another epoch, another shuffle and augmentation");
        }
    }

    @Test
    void trainBatchesHaveTheAgreedLayout() {
        try (DetectionLoader loader =
                new DetectionLoader(train, DetectionLoader.Options.train(64, 4))) {
            List<Batch> batches = epoch(loader, 0);
            assertEquals(List.of(4, 4, 2), batches.stream().map(Batch::size).toList());
            List<String> paths = new ArrayList<>();
            for (Batch b : batches) {
                assertEquals(b.size() * 3 * 64 * 64, b.imageData().length);
                for (float v : b.imageData()) {
                    assertTrue(v >= 0f && v <= 1f);
                }
                float[] t = b.targetData();
                for (int i = 0; i < b.targetCount(); i++) {
                    assertTrue(t[6 * i] >= 0 && t[6 * i] < b.size(), "batch index");
                    assertTrue(t[6 * i + 1] >= 0 && t[6 * i + 1] < 3, "class");
                    for (int k = 2; k < 6; k++) {
                        assertTrue(t[6 * i + k] >= 0f && t[6 * i + k] <= 1f, "normalized xywh");
                    }
                    assertTrue(
                            t[6 * i + 4] > 2f / 64 && t[6 * i + 5] > 2f / 64,
                            "box_candidates: > 2 px");
                }
                b.infos().forEach(i -> paths.add(i.path()));
            }
            assertEquals(10, paths.stream().distinct().count(), "each image once per epoch");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {64, 32})
    void validationLetterboxesAndMapsBackToOriginalLabels(int s) {
        YoloDataset val = YoloDataset.scan(config, "val", new Configuration(), 1);
        try (DetectionLoader loader =
                new DetectionLoader(val, DetectionLoader.Options.val(s, 2).withWorkers(2))) {
            List<Batch> batches = epoch(loader, 0);
            List<Batch> again = epoch(loader, 7);
            assertEquals(2, batches.size());
            int img = 0;
            for (int bi = 0; bi < batches.size(); bi++) {
                Batch b = batches.get(bi);
                assertArrayEquals(
                        b.imageData(), again.get(bi).imageData(), "validation is not random");
                float[] t = b.targetData();
                int k = 0;
                for (int j = 0; j < b.size(); j++, img++) {
                    LabeledImage truth = val.get(img);
                    ImageInfo info = b.infos().get(j);
                    assertEquals(truth.image().toString(), info.path());
                    assertEquals(truth.height(), info.origH());
                    float[] rows = truth.labels();
                    for (int r = 0; r < truth.boxCount(); r++, k++) {
                        assertEquals(j, (int) t[6 * k]);
                        float cx = t[6 * k + 2] * s,
                                cy = t[6 * k + 3] * s,
                                w = t[6 * k + 4] * s,
                                h = t[6 * k + 5] * s;
                        float[] orig =
                                info.toOriginal(
                                        new float[] {
                                            cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
                                        });
                        float ow = truth.width(), oh = truth.height();
                        assertEquals((rows[5 * r + 1] - rows[5 * r + 3] / 2) * ow, orig[0], 0.05f);
                        assertEquals((rows[5 * r + 2] - rows[5 * r + 4] / 2) * oh, orig[1], 0.05f);
                        assertEquals((rows[5 * r + 1] + rows[5 * r + 3] / 2) * ow, orig[2], 0.05f);
                        assertEquals((rows[5 * r + 2] + rows[5 * r + 4] / 2) * oh, orig[3], 0.05f);
                    }
                }
                assertEquals(k, b.targetCount());
            }
        }
    }

    @Test
    void closingStopsTheWorkers() throws Exception {
        DetectionLoader loader =
                new DetectionLoader(train, DetectionLoader.Options.train(64, 2).withWorkers(3));
        DetectionLoader.Epoch epoch = loader.epoch(0);
        epoch.next(); // workers are busy prefetching the rest
        loader.close();
        Thread.sleep(50);
        IllegalStateException closed =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalStateException.class,
                        () -> {
                            while (epoch.hasNext()) {
                                epoch.next();
                            }
                        });
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        assertTrue(
                Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().startsWith("loader-train-") && t.isAlive()),
                "no loader thread survives close()");
    }

    @Test
    void batchesBecomeFloat32NDArrays() {
        try (DetectionLoader loader =
                        new DetectionLoader(train, DetectionLoader.Options.train(64, 4));
                NDManager manager = NDManager.newBaseManager()) {
            Batch b = epoch(loader, 0).get(0);
            try (NDManager sub = manager.newSubManager()) {
                NDList list = b.toNDList(sub);
                NDArray images = list.get(0);
                NDArray targets = list.get(1);
                assertEquals(new Shape(4, 3, 64, 64), images.getShape());
                assertEquals(DataType.FLOAT32, images.getDataType());
                assertEquals(new Shape(b.targetCount(), 6), targets.getShape());
                assertArrayEquals(b.imageData(), images.toFloatArray());
                assertArrayEquals(b.targetData(), targets.toFloatArray());
            }
        }
    }
}
