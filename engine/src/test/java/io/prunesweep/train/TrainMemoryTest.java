package io.prunesweep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.prunesweep.data.Batch;
import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.DetectionLoader;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.model.Devices;
import io.prunesweep.model.YoloModel;
import io.prunesweep.train.loss.LossFunctions;
import io.prunesweep.train.loss.LossGains;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long run must not grow: after the first steps, every further training step (forward, loss,
 * backward, clipping, AdamW, EMA) leaves exactly as many native tensors alive as before it, in the
 * model's manager and its parent.
 */
class TrainMemoryTest {
    @TempDir Path dir;

    @Test
    void stepsLeaveNoTensorBehind() throws Exception {
        DatasetConfig data = TrainFixtures.synth(dir.resolve("shapes"), 16, 4, 64, 5);
        YoloDataset train = TrainFixtures.scan(data, "train");
        try (YoloModel model =
                YoloModel.create(TrainFixtures.yolov8("n", 3), 0, Devices.current())) {
            Map<String, Parameter> params = model.network().parameters();
            Map<Parameter, String> names = new IdentityHashMap<>();
            params.forEach((k, v) -> names.put(v, k));
            Optimizer.GroupSettings lr =
                    new Optimizer.GroupSettings(new float[] {1e-3f, 1e-3f, 1e-3f}, 0.9f);
            DetectionLoader.Options options =
                    DetectionLoader.Options.train(64, 4).withWorkers(1).withPrefetch(1).withSeed(0);
            try (DetectionLoader loader = new DetectionLoader(train, options);
                    FlatParameters flat = FlatParameters.of(params);
                    ModelEma ema = new ModelEma(model, flat, 0.9999, 2000);
                    Optimizer opt = Optimizer.create("AdamW", flat, names, 5e-4f)) {
                TrainStep step =
                        new TrainStep(
                                model,
                                LossFunctions.forModel(model, LossGains.DEFAULTS, 64),
                                flat,
                                opt,
                                null,
                                ema,
                                10f);
                Set<NDArray> snapshot = Collections.newSetFromMap(new IdentityHashMap<>());
                int before = -1;
                for (int epoch = 0; epoch < 3; epoch++) {
                    try (DetectionLoader.Epoch e = loader.epoch(epoch)) {
                        Iterator<Batch> it = e.iterator();
                        while (it.hasNext()) {
                            step.backward(it.next());
                            step.step(epoch, lr);
                        }
                    }
                    List<NDArray> now = model.manager().getParentManager().getManagedArrays();
                    int alive = now.size();
                    if (epoch > 0) {
                        String added =
                                now.stream()
                                        .filter(a -> !snapshot.contains(a))
                                        .map(
                                                a ->
                                                        a.getShape()
                                                                + " "
                                                                + a.getDataType()
                                                                + " in "
                                                                + a.getManager().getName())
                                        .collect(Collectors.joining("; "));
                        assertEquals(
                                before,
                                alive,
                                "native tensors alive after epoch " + epoch + ": new " + added);
                    }
                    snapshot.clear();
                    snapshot.addAll(now);
                    if (epoch == 0) {
                        before = alive;
                    }
                }
            }
        }
    }
}
