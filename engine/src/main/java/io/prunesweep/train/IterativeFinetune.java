package io.prunesweep.train;

import io.prunesweep.data.YoloDataset;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.FileSystems;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.Pruner;

/**
 * Iterative pruning's "short finetune between steps": after every step but the last, train the
 * pruned model for a few epochs (in {@code <dir>/step-k/}) so the next step ranks channels of a
 * recovered network. The last step is left to the caller's own finetune.
 */
public final class IterativeFinetune implements Pruner.StepHook {
    private final TrainConfig config;
    private final YoloDataset train;
    private final YoloDataset val;
    private final String dir;
    private final TrainListener listener;

    public IterativeFinetune(
            TrainConfig config,
            YoloDataset train,
            YoloDataset val,
            String dir,
            TrainListener listener) {
        this.config = config.validated();
        this.train = train;
        this.val = val;
        this.dir = dir;
        this.listener = listener;
    }

    @Override
    public YoloModel afterStep(int step, int steps, YoloModel pruned) {
        if (step == steps) {
            return pruned;
        }
        String stepDir = dir + "/step-" + step;
        Trainer.Result r = new Trainer(config, train, val, stepDir, listener).fit(pruned);
        String best = FileSystems.exists(r.best()) ? r.best() : r.last();
        YoloModel trained = Checkpoint.load(best, null, pruned.device());
        pruned.close();
        return trained;
    }
}
