package io.prunesweep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.backend.Convolutions.SimulatedFault;
import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.SafeTensors;
import io.prunesweep.model.Devices;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A non-finite loss is never silent, and a transient one costs nothing: one wrong convolution (the
 * faulty-backend symptom) is replayed from the last good state and the run ends bit-identical to an
 * uninterrupted one, with the replay counted; a loss that diverges for real fails at the same batch
 * again and stops the run with that reason.
 */
class NanReplayTest {
    @TempDir Path dir;

    @AfterEach
    void clearFault() {
        SimulatedFault.set("");
    }

    /** One libtorch thread: a run is then a pure function of its inputs (as in LearningTest). */
    private static final TrainConfig CONFIG =
            TrainFixtures.twoShortEpochs()
                    .with(
                            b -> {
                                b.workers = 1;
                                b.threads = 1;
                            });

    @Test
    void aTransientNanIsReplayedAndTheRunEndsAsIfNothingHappened() throws Exception {
        DatasetConfig data = TrainFixtures.synth(dir.resolve("data"), 20, 6, 64, 11);
        YoloDataset train = TrainFixtures.scan(data, "train");
        YoloDataset val = TrainFixtures.scan(data, "val");
        ModelGraph graph = TrainFixtures.yolov8Custom(0.33, 0.0625, 1024, 3);
        TrainConfig cfg = CONFIG;

        // the clean run, counting convolutions: where each training batch's forward pass starts
        Map<String, Long> callsAfter = new HashMap<>();
        SimulatedFault.set("count");
        Path clean = dir.resolve("clean");
        try (YoloModel model = YoloModel.create(graph, 7, Devices.current())) {
            Trainer.Result r =
                    new Trainer(
                                    cfg,
                                    train,
                                    val,
                                    clean.toString(),
                                    new TrainListener() {
                                        @Override
                                        public void onBatch(
                                                int epoch,
                                                int batch,
                                                int batches,
                                                double box,
                                                double cls,
                                                double dfl,
                                                double ips) {
                                            callsAfter.put(
                                                    epoch + "/" + batch, SimulatedFault.calls());
                                        }
                                    })
                            .fit(model);
            assertEquals(0, r.nanRecoveries());
        }

        // the same run with the first convolution of epoch 2's third batch made NaN, once
        SimulatedFault.set("nan-once:" + (callsAfter.get("1/1") + 1));
        Path faulty = dir.resolve("faulty");
        List<String> said = new java.util.ArrayList<>();
        Trainer.Result r;
        try (YoloModel model = YoloModel.create(graph, 7, Devices.current())) {
            r =
                    new Trainer(
                                    cfg,
                                    train,
                                    val,
                                    faulty.toString(),
                                    new TrainListener() {
                                        @Override
                                        public void onRecovery(
                                                String what, int count, int fromEpoch) {
                                            said.add(what + " -> epoch " + fromEpoch);
                                        }
                                    })
                            .fit(model);
        }
        assertEquals(1, r.nanRecoveries());
        assertEquals(1, said.size(), said.toString());
        assertTrue(
                said.get(0)
                        .matches(
                                "loss became NaN/inf at epoch 2 batch \\d \\(box NaN cls NaN dfl NaN\\) -> epoch 1"),
                "replayed from the checkpoint of epoch 1 (0-based epoch 1 starts again): " + said);
        assertEquals(2, r.epochs().size());
        assertEquals(rows(clean), rows(faulty));
        SafeTensors.Content a = Checkpoint.read(clean.resolve("last.safetensors").toString());
        SafeTensors.Content b = Checkpoint.read(faulty.resolve("last.safetensors").toString());
        for (var e : a.tensors().entrySet()) {
            assertTrue(
                    Arrays.equals(e.getValue().data(), b.tensors().get(e.getKey()).data()),
                    e.getKey() + " differs");
        }
    }

    @Test
    void aLossThatFailsAtTheSameBatchAgainStopsTheRun() throws Exception {
        DatasetConfig data = TrainFixtures.synth(dir.resolve("data"), 12, 4, 64, 3);
        ModelGraph graph = TrainFixtures.yolov8Custom(0.33, 0.0625, 1024, 3);
        List<Integer> replays = new java.util.ArrayList<>();
        SimulatedFault.set(
                "nan-from:1"); // wrong from the first convolution on: the replay fails where the
        // run did
        try (YoloModel model = YoloModel.create(graph, 7, Devices.current())) {
            TrainingFailure f =
                    assertThrows(
                            TrainingFailure.class,
                            () ->
                                    new Trainer(
                                                    CONFIG,
                                                    TrainFixtures.scan(data, "train"),
                                                    TrainFixtures.scan(data, "val"),
                                                    dir.resolve("run").toString(),
                                                    new TrainListener() {
                                                        @Override
                                                        public void onRecovery(
                                                                String what,
                                                                int count,
                                                                int fromEpoch) {
                                                            replays.add(count);
                                                        }
                                                    })
                                            .fit(model));
            assertTrue(
                    f.getMessage()
                            .matches(
                                    "loss became NaN/inf at epoch 1 batch 1 .*it failed at the same batch"
                                            + " again: a real divergence\\. Lower lr0 or check the data"),
                    f.getMessage());
        }
        assertEquals(List.of(1), replays, "one replay, then the verdict");
    }

    private static List<String> rows(Path run) throws Exception {
        // the last two columns are seconds and images/s
        return Files.readAllLines(run.resolve("results.csv")).stream()
                .map(l -> l.substring(0, l.lastIndexOf(',', l.lastIndexOf(',') - 1)))
                .toList();
    }
}
