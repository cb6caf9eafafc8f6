package io.prunesweep.train;

import io.prunesweep.InputException;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.SafeTensors;
import io.prunesweep.io.SafeTensors.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a training run stands: enough to continue it exactly. The one owner of the {@code train.*}
 * entries of a {@code last.safetensors} checkpoint (metadata keys and extra tensors), which it
 * writes and reads back.
 *
 * @param startEpoch the next epoch to train (0-based): epochs before it are done
 * @param iterations batches trained so far
 * @param lastStep the iteration of the last optimizer step (-1 before the first)
 * @param emaUpdates updates of the EMA so far
 * @param bestFitness best validation fitness so far (-1 before the first validation)
 * @param lastLr the conv-weight learning rate of the last step
 * @param optimizer optimizer buffers by {@code kind.parameterName}, plus {@code steps}; null when
 *     fresh
 * @param pendingGradients gradients accumulated since the last optimizer step (packed), or null
 */
public record TrainState(
        int startEpoch,
        long iterations,
        long lastStep,
        long emaUpdates,
        double bestFitness,
        float lastLr,
        Map<String, float[]> optimizer,
        float[] pendingGradients) {

    static final String EPOCH = "train.epoch";
    static final String EPOCHS = "train.epochs";
    static final String ITERATIONS = "train.iterations";
    static final String LAST_STEP = "train.last_step";
    static final String EMA_UPDATES = "train.ema_updates";
    static final String BEST_FITNESS = "train.best_fitness";
    static final String LAST_LR = "train.last_lr";
    static final String OPTIMIZER_NAME = "train.optimizer";
    static final String SEED = "train.seed";
    static final String SPARSITY = "train.sparsity";
    static final String MAP50_95 = "train.map50_95";

    /**
     * Tensor prefixes: the raw (not averaged) weights, the optimizer buffers; the pending gradients
     * tensor.
     */
    static final String MODEL_PREFIX = "train.model.";

    static final String OPTIMIZER_PREFIX = "train.optim.";
    static final String GRADIENTS = "train.grad";

    /** A run that has not started. */
    public static TrainState fresh() {
        return new TrainState(0, 0, -1, 0, -1, 0, null, null);
    }

    /** Epochs a checkpoint's metadata says are done (0 when it is not a training checkpoint). */
    public static int completedEpochs(Map<String, String> metadata) {
        String e = metadata.get(EPOCH);
        return e == null ? 0 : Integer.parseInt(e) + 1;
    }

    /** What a resumable checkpoint holds besides the state: the raw weights and the EMA weights. */
    record Saved(
            TrainState state, Map<String, Tensor> rawWeights, Map<String, Tensor> emaWeights) {}

    /** Reads a {@code last.safetensors} written by {@link #metadata}/{@link #tensors}. */
    static Saved read(SafeTensors.Content c, String uri) {
        Map<String, String> md = c.metadata();
        if (!md.containsKey(EPOCH)) {
            throw new InputException(uri + ": not a resumable PruneSweep training checkpoint");
        }
        Map<String, Tensor> raw = new LinkedHashMap<>();
        Map<String, float[]> optim = new LinkedHashMap<>();
        Map<String, Tensor> ema = new LinkedHashMap<>();
        c.tensors()
                .forEach(
                        (k, t) -> {
                            if (k.startsWith(MODEL_PREFIX)) {
                                raw.put(k.substring(MODEL_PREFIX.length()), t);
                            } else if (k.startsWith(OPTIMIZER_PREFIX)) {
                                optim.put(k.substring(OPTIMIZER_PREFIX.length()), t.data());
                            } else if (!k.startsWith(Checkpoint.TRAIN_PREFIX)) {
                                ema.put(k, t);
                            }
                        });
        long ni = Long.parseLong(md.get(ITERATIONS));
        Tensor pending = c.tensors().get(GRADIENTS);
        TrainState st =
                new TrainState(
                        completedEpochs(md),
                        ni,
                        Long.parseLong(md.getOrDefault(LAST_STEP, String.valueOf(ni - 1))),
                        Long.parseLong(md.get(EMA_UPDATES)),
                        Double.parseDouble(md.get(BEST_FITNESS)),
                        Float.parseFloat(md.getOrDefault(LAST_LR, "0")),
                        optim,
                        pending == null ? null : pending.data());
        return new Saved(st, raw, ema);
    }

    /**
     * The checkpoint metadata of this state (after {@code startEpoch - 1} finished) and of the
     * run's settings.
     */
    Map<String, String> metadata(TrainConfig cfg, String optimizerName, double map50to95) {
        Map<String, String> md = new LinkedHashMap<>();
        md.put(EPOCH, String.valueOf(startEpoch - 1));
        md.put(EPOCHS, String.valueOf(cfg.epochs()));
        md.put(ITERATIONS, String.valueOf(iterations));
        md.put(LAST_STEP, String.valueOf(lastStep));
        md.put(EMA_UPDATES, String.valueOf(emaUpdates));
        md.put(BEST_FITNESS, String.valueOf(bestFitness));
        md.put(LAST_LR, String.valueOf(lastLr));
        md.put(OPTIMIZER_NAME, optimizerName);
        md.put(SEED, String.valueOf(cfg.seed()));
        md.put(SPARSITY, String.valueOf(cfg.sparsity()));
        md.put(MAP50_95, String.valueOf(map50to95));
        return md;
    }

    /** The extra tensors of this state: raw weights, optimizer buffers, pending gradients. */
    Map<String, Tensor> tensors(
            Map<String, Tensor> rawWeights, Map<String, float[]> optimizerState) {
        Map<String, Tensor> extra = new LinkedHashMap<>();
        rawWeights.forEach((k, t) -> extra.put(MODEL_PREFIX + k, t));
        optimizerState.forEach(
                (k, v) -> extra.put(OPTIMIZER_PREFIX + k, Tensor.f32(new long[] {v.length}, v)));
        if (pendingGradients != null) {
            extra.put(
                    GRADIENTS, Tensor.f32(new long[] {pendingGradients.length}, pendingGradients));
        }
        return extra;
    }
}
