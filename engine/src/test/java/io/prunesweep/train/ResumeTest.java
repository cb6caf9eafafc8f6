package io.prunesweep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.InputException;
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
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume is exact: 2 epochs straight and the same run interrupted after epoch 1 then resumed give
 * bit-identical checkpoints (raw weights and BN statistics, EMA weights, optimizer buffers) and
 * identical metric rows.
 *
 * <p>The settings make every piece of resumable state matter: AdamW (two buffers and a step count
 * in the bias correction), gradient accumulation (nbs 8 = 2 batches of 4) with 5 batches per epoch,
 * so an unapplied gradient is pending at the epoch boundary; an EMA with a short ramp (tau 3) so it
 * differs from the raw weights; mosaic and the other augmentations on, whose random streams must
 * continue; sparsity on, whose lambda depends on the epoch.
 */
class ResumeTest {
    @TempDir Path dir;

    /**
     * Thrown by the listener to stop a run as a crash or a kill would, after the checkpoint of
     * epoch 1.
     */
    private static final class Interrupt extends RuntimeException {}

    @Test
    void interruptedAndResumedRunEqualsStraightRun() throws Exception {
        DatasetConfig data = TrainFixtures.synth(dir.resolve("data"), 20, 6, 64, 11);
        YoloDataset train = TrainFixtures.scan(data, "train");
        YoloDataset val = TrainFixtures.scan(data, "val");
        ModelGraph graph = TrainFixtures.yolov8Custom(0.33, 0.0625, 1024, 3);
        TrainConfig cfg =
                TrainFixtures.twoShortEpochs()
                        .with(
                                b -> {
                                    b.emaTau = 3;
                                    b.sparsity = 1e-3f;
                                    b.workers = 2;
                                });

        Path straight = dir.resolve("straight");
        try (YoloModel model = YoloModel.create(graph, 7, Devices.current())) {
            new Trainer(cfg, train, val, straight.toString(), TrainListener.NONE).fit(model);
        }

        Path resumed = dir.resolve("resumed");
        TrainListener stopAfterFirst =
                new TrainListener() {
                    @Override
                    public void onEpoch(EpochMetrics m) {
                        if (m.epoch() == 0) {
                            throw new Interrupt();
                        }
                    }
                };
        try (YoloModel model = YoloModel.create(graph, 7, Devices.current())) {
            Trainer first = new Trainer(cfg, train, val, resumed.toString(), stopAfterFirst);
            assertThrows(Interrupt.class, () -> first.fit(model));
        }
        SafeTensors.Content interrupted =
                Checkpoint.read(resumed.resolve("last.safetensors").toString());
        assertTrue(
                interrupted.tensors().containsKey("train.grad"),
                "epoch 1 ends between optimizer steps, so its checkpoint must carry the pending gradient");
        Trainer.Result rest =
                new Trainer(cfg, train, val, resumed.toString(), TrainListener.NONE)
                        .resume(resumed.resolve("last.safetensors").toString());
        assertEquals(1, rest.epochs().size());
        assertEquals(1, rest.epochs().get(0).epoch());

        SafeTensors.Content a = Checkpoint.read(straight.resolve("last.safetensors").toString());
        SafeTensors.Content b = Checkpoint.read(resumed.resolve("last.safetensors").toString());
        assertEquals(new TreeSet<>(a.tensors().keySet()), new TreeSet<>(b.tensors().keySet()));
        assertTrue(
                a.tensors().keySet().stream()
                        .anyMatch(k -> k.startsWith("train.optim.exp_avg_sq.")));
        List<String> differing = new java.util.ArrayList<>();
        for (Map.Entry<String, SafeTensors.Tensor> e : a.tensors().entrySet()) {
            float[] x = e.getValue().data();
            float[] y = b.tensors().get(e.getKey()).data();
            if (!Arrays.equals(x, y)) {
                differing.add(e.getKey() + " (max |diff| " + maxDiff(x, y) + ")");
            }
        }
        assertTrue(
                differing.isEmpty(),
                differing.size()
                        + " of "
                        + a.tensors().size()
                        + " tensors differ after resume: "
                        + differing.subList(0, Math.min(differing.size(), 12)));
        for (String k :
                List.of(
                        "train.iterations",
                        "train.last_step",
                        "train.ema_updates",
                        "train.best_fitness",
                        "train.last_lr")) {
            assertEquals(a.metadata().get(k), b.metadata().get(k), k);
        }
        // the EMA really is an average here, not a copy of the raw weights
        assertTrue(
                maxDiff(
                                a.tensors().get("model.0.conv.weight").data(),
                                a.tensors().get("train.model.model.0.conv.weight").data())
                        > 1e-6);

        List<String> rowsA = withoutTimings(Files.readAllLines(straight.resolve("results.csv")));
        List<String> rowsB = withoutTimings(Files.readAllLines(resumed.resolve("results.csv")));
        assertEquals(3, rowsA.size()); // header + 2 epochs
        assertEquals(rowsA, rowsB);

        InputException done =
                assertThrows(
                        InputException.class,
                        () ->
                                new Trainer(cfg, train, val, resumed.toString(), TrainListener.NONE)
                                        .resume(resumed.resolve("last.safetensors").toString()));
        assertTrue(done.getMessage().contains("already finished"), done.getMessage());
    }

    private static List<String> withoutTimings(List<String> lines) {
        // the last two columns are seconds and images/s
        return lines.stream()
                .map(l -> l.substring(0, l.lastIndexOf(',', l.lastIndexOf(',') - 1)))
                .toList();
    }

    private static double maxDiff(float[] x, float[] y) {
        if (x.length != y.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }
}
