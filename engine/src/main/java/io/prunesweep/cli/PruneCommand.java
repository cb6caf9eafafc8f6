package io.prunesweep.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prunesweep.InputException;
import io.prunesweep.data.DatasetSplits;
import io.prunesweep.train.TrainProgressBar;
import io.prunesweep.train.IterativeFinetune;
import io.prunesweep.train.TrainConfig;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.FileSystems;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.ImportanceRegistry;
import io.prunesweep.prune.Method;
import io.prunesweep.prune.Overrides;
import io.prunesweep.prune.PruneConfig;
import io.prunesweep.prune.PruneReport;
import io.prunesweep.prune.PruneResult;
import io.prunesweep.prune.Pruner;
import io.prunesweep.prune.Scope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code prunesweep prune}: structured channel pruning of a checkpoint (or a seeded YAML model) into
 * {@code DIR/pruned.safetensors} plus {@code DIR/prune-report.json}.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune channels (by a criterion, see --method; global or local) into a smaller network that loads and finetunes.")
public final class PruneCommand implements Callable<Integer> {
    public static final String CHECKPOINT = "pruned.safetensors";
    public static final String REPORT = "prune-report.json";

    @Spec CommandSpec spec;
    @Mixin ModelOptions modelOptions;

    @Option(names = "--method", paramLabel = "M", completionCandidates = MethodNames.class,
            description = "Channel importance criterion: ${COMPLETION-CANDIDATES} (see Criteria below).")
    String method;

    @Option(names = "--ratio", paramLabel = "R", description = "Fraction of prunable channels to remove, in [0, 1).")
    Double ratio;

    @Option(names = "--scope", defaultValue = "global", paramLabel = "S",
            description = "global (one threshold over all spaces) or local (same ratio everywhere); default ${DEFAULT-VALUE}.")
    String scope;

    @Option(names = "--min-channels", defaultValue = "8", description = "No space below this many channels (default ${DEFAULT-VALUE}).")
    int minChannels;

    @Option(names = "--round-to", defaultValue = "1", description = "Round pruned widths to a multiple of this (default ${DEFAULT-VALUE}).")
    int roundTo;

    @Option(names = "--overrides", paramLabel = "YAML", description = "Map of layer index or space name to a ratio or 'exclude'.")
    Path overrides;

    @Option(names = "--steps", defaultValue = "1", description = "Prune in this many steps of increasing ratio (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--data", paramLabel = "YAML",
            description = "With --steps k: a dataset to finetune on between steps (a short finetune, as iterative pruning does).")
    String data;

    @Option(names = "--step-epochs", defaultValue = "1", description = "Epochs of each between-steps finetune (default ${DEFAULT-VALUE}).")
    int stepEpochs;

    @Option(names = "--batch", defaultValue = "16", description = "Batch size of the between-steps finetune (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--target-gflops", paramLabel = "F", description = "Reach this fraction of the original GFLOPs (searches the ratio).")
    Double targetGflops;

    @Option(names = "--target-params", paramLabel = "F", description = "Reach this fraction of the original parameters (searches the ratio).")
    Double targetParams;

    @Option(names = "--no-split-parity", description = "Prune the two halves of C2f/C3k2 splits independently.")
    boolean noSplitParity;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for random scores and YAML initialisation (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--imgsz", defaultValue = "640", description = "Image size for GFLOPs (default ${DEFAULT-VALUE}).")
    int imgsz;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (any Hadoop URI).")
    String out;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (method == null) throw new InputException("--method is required: " + ImportanceRegistry.choices());
        if (out == null) throw new InputException("--out DIR is required: where pruned.safetensors and the report go");
        Overrides ov = overrides == null ? Overrides.NONE : Overrides.read(overrides);
        PruneConfig config = PruneConfig.builder(Method.parse(method)).scope(Scope.parse(scope)).ratio(ratio)
                .targets(targetGflops, targetParams).guards(minChannels, roundTo).overrides(ov).steps(steps).seed(seed)
                .splitParity(!noSplitParity).imgsz(imgsz).build().validate();
        String dir = out.endsWith("/") ? out.substring(0, out.length() - 1) : out;
        try (YoloModel model = modelOptions.load(Device.cpu(), seed)) {
            PruneResult result = Pruner.prune(model, config, stepHook(dir));
            try (YoloModel pruned = result.model()) {
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("prunesweep.prune", String.format("method=%s scope=%s ratio=%s steps=%d min_channels=%d round_to=%d seed=%d",
                        config.method().id(), config.scope().id(), result.ratio(), steps, minChannels, roundTo, seed));
                if (modelOptions.weights() != null) meta.put("prunesweep.source", modelOptions.weights());
                String ckpt = FileSystems.child(out, CHECKPOINT);
                Checkpoint.save(pruned, ckpt, meta);
                Map<String, Object> report = new LinkedHashMap<>(PruneReport.toMap(result));
                report.put("checkpoint", ckpt);
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                byte[] bytes = mapper.writeValueAsString(report).getBytes(StandardCharsets.UTF_8);
                FileSystems.writeAtomically(FileSystems.child(out, REPORT), o -> o.write(bytes));
                var w = spec.commandLine().getOut();
                if (json) {
                    w.println(mapper.writeValueAsString(report));
                } else {
                    w.print(PruneReport.table(result));
                    w.println("wrote " + ckpt);
                }
                w.flush();
            }
        }
        return 0;
    }

    /** The registered criteria, read when the help is drawn (so a criterion registered later is listed). */
    static final class MethodNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ImportanceRegistry.ids().iterator();
        }
    }

    /** Adds the "Criteria" section (one line per registered method and its summary) to the prune help. */
    static void addCriteriaSection(picocli.CommandLine prune) {
        String key = "criteria";
        prune.getHelpSectionMap().put(key, help -> "%nCriteria (--method):%n".formatted()
                + String.join(System.lineSeparator(), ImportanceRegistry.summaries()) + System.lineSeparator());
        java.util.List<String> keys = new java.util.ArrayList<>(prune.getHelpSectionKeys());
        keys.add(keys.indexOf(picocli.CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), key);
        prune.setHelpSectionKeys(keys);
    }

    /** Between steps: nothing, or a short finetune on --data (ultralytics' training defaults, --step-epochs). */
    private Pruner.StepHook stepHook(String dir) {
        if (data == null) return Pruner.StepHook.NONE;
        if (steps < 2) throw new InputException("--data is for iterative pruning: add --steps k (k >= 2)");
        DatasetSplits splits = DatasetSplits.scan(data, 2);
        TrainConfig cfg = TrainConfig.defaults().withRun(stepEpochs, batch, imgsz, seed, 2, true);
        return new IterativeFinetune(cfg, splits.train(), splits.val(), dir, new TrainProgressBar(System.err));
    }
}
