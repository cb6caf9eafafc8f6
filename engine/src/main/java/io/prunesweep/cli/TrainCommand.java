package io.prunesweep.cli;

import io.prunesweep.InputException;
import io.prunesweep.data.DatasetSplits;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.FileSystems;
import io.prunesweep.model.Devices;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import io.prunesweep.train.TrainConfig;
import io.prunesweep.train.TrainProgressBar;
import io.prunesweep.train.Trainer;
import io.prunesweep.train.WeightMasks;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code prunesweep train}: dense or sparse (Network Slimming) training; {@code finetune} is the
 * same loop on a pruned checkpoint, whose widths come from the checkpoint, never from a YAML.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train a detector (dense, or sparse with --sparsity lambda) on a YOLO-format dataset.")
public class TrainCommand implements Callable<Integer> {
    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--data",
            required = true,
            description = "Dataset YAML (ultralytics format); any Hadoop URI.")
    String data;

    @Option(
            names = "--out",
            required = true,
            description = "Output directory (last/best checkpoints, results.csv).")
    String out;

    @Option(names = "--epochs", defaultValue = "100")
    int epochs;

    @Option(names = "--batch", defaultValue = "16")
    int batch;

    @Option(names = "--imgsz", defaultValue = "640")
    int imgsz;

    @Option(
            names = "--optimizer",
            defaultValue = "auto",
            description = "auto, SGD or AdamW (auto as ultralytics).")
    String optimizer;

    @Option(names = "--lr0", defaultValue = "0.01")
    float lr0;

    @Option(names = "--lrf", defaultValue = "0.01")
    float lrf;

    @Option(names = "--warmup-epochs", defaultValue = "3")
    float warmupEpochs;

    @Option(names = "--close-mosaic", defaultValue = "10")
    int closeMosaic;

    @Option(
            names = "--sparsity",
            defaultValue = "0",
            description = "Network Slimming lambda on BN gamma (0 = dense).")
    float sparsity;

    @Option(
            names = "--sparsity-beta",
            defaultValue = "0",
            description = "The same L1 penalty on BN beta.")
    float sparsityBeta;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(
            names = "--workers",
            defaultValue = "2",
            description = "Loader threads (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description = "libtorch intra-op threads; 0 = one per processor.")
    int threads;

    @Option(
            names = "--nbs",
            defaultValue = "64",
            description =
                    "Nominal batch size: gradients accumulate to it (default ${DEFAULT-VALUE}).")
    int nbs;

    @Option(names = "--cache", description = "Keep decoded images in RAM.")
    boolean cache;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N.")
    String device;

    @Option(
            names = "--resume",
            description = "Continue the run in --out from its last.safetensors.")
    boolean resume;

    @Option(
            names = "--allow-empty",
            description = "Train even when the train split has no boxes at all (backgrounds only).")
    boolean allowEmpty;

    protected boolean requireCheckpoint() {
        return false;
    }

    @Override
    public Integer call() {
        Devices.use(Devices.parse(device));
        TrainConfig cfg =
                TrainConfig.defaults()
                        .with(
                                b -> {
                                    b.epochs = epochs;
                                    b.batch = batch;
                                    b.imgsz = imgsz;
                                    b.optimizer = optimizer;
                                    b.lr0 = lr0;
                                    b.lrf = lrf;
                                    b.warmupEpochs = warmupEpochs;
                                    b.closeMosaic = closeMosaic;
                                    b.sparsity = sparsity;
                                    b.sparsityBeta = sparsityBeta;
                                    b.seed = seed;
                                    b.workers = workers;
                                    b.threads = threads;
                                    b.nbs = nbs;
                                    b.cache = cache;
                                })
                        .validated();
        DatasetSplits splits = DatasetSplits.scan(data, workers);
        splits.warnings().forEach(System.err::println);
        splits.requireTrainBoxes(allowEmpty, "--allow-empty");
        Trainer trainer =
                new Trainer(
                        cfg, splits.train(), splits.val(), out, new TrainProgressBar(System.out));
        Trainer.Result result;
        if (resume) {
            if (!FileSystems.exists(trainer.lastUri())) {
                throw new InputException(
                        trainer.lastUri() + ": nothing to resume (no last checkpoint in --out)");
            }
            result = trainer.resume(trainer.lastUri());
        } else {
            if (modelOptions.graphFromYaml() == null && modelOptions.weights() == null) {
                throw new InputException(
                        "name a model: --model <yaml> --scale <s>, or --weights <checkpoint>");
            }
            if (requireCheckpoint()
                    && (modelOptions.weights() == null || modelOptions.namesGraph())) {
                throw new InputException(
                        "finetune takes --weights <pruned checkpoint> only: its widths come from the checkpoint");
            }
            modelOptions.useDataClasses(splits.nc());
            try (YoloModel model = modelOptions.load(Devices.current(), seed)) {
                ModelGraph g = model.graph();
                if (g.nc() != splits.nc()) {
                    throw new InputException(
                            "the model has nc="
                                    + g.nc()
                                    + " but "
                                    + data
                                    + " has "
                                    + splits.nc()
                                    + " classes");
                }
                // an unstructured-pruned checkpoint: its zero conv weights stay 0 through the
                // finetune
                if (modelOptions.weights() != null
                        && !modelOptions.namesGraph()
                        && WeightMasks.ZEROS.equals(
                                Checkpoint.metadata(modelOptions.weights())
                                        .get(WeightMasks.METADATA_KEY))) {
                    trainer.withWeightMasks(true);
                }
                result = trainer.fit(model);
            }
        }
        String json = result.finalMetrics().toJson();
        FileSystems.writeAtomically(
                out + "/val.json", o -> o.write(json.getBytes(StandardCharsets.UTF_8)));
        System.out.printf(
                Locale.ROOT,
                "done: mAP50 %.4f  mAP50-95 %.4f  P %.4f  R %.4f -> %s, %s%n",
                result.finalMetrics().map50(),
                result.finalMetrics().map50to95(),
                result.finalMetrics().precision(),
                result.finalMetrics().recall(),
                result.best(),
                result.last());
        return 0;
    }

    /** {@code prunesweep finetune}: train a pruned checkpoint at its own widths. */
    @Command(
            name = "finetune",
            mixinStandardHelpOptions = true,
            description =
                    "Finetune a pruned checkpoint (widths preserved, never rebuilt from a YAML; saved in float32).")
    public static final class Finetune extends TrainCommand {
        @Override
        protected boolean requireCheckpoint() {
            return true;
        }
    }
}
