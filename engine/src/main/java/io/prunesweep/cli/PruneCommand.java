package io.prunesweep.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prunesweep.InputException;
import io.prunesweep.data.DatasetSplits;
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
import io.prunesweep.prune.reconstruct.CalibrationImages;
import io.prunesweep.prune.reconstruct.ReconstructReport;
import io.prunesweep.prune.reconstruct.ReconstructSettings;
import io.prunesweep.prune.reconstruct.Reconstructor;
import io.prunesweep.prune.reconstruct.RefitConv;
import io.prunesweep.prune.unstructured.MaskedWeights;
import io.prunesweep.train.IterativeFinetune;
import io.prunesweep.train.TrainConfig;
import io.prunesweep.train.TrainProgressBar;
import io.prunesweep.train.WeightMasks;
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
 * {@code prunesweep prune}: structured channel pruning of a checkpoint (or a seeded YAML model)
 * into {@code DIR/pruned.safetensors} plus {@code DIR/prune-report.json}.
 */
@Command(
        name = "prune",
        mixinStandardHelpOptions = true,
        description =
                "Prune channels (by a criterion, see --method; global or local) into a smaller network that loads and finetunes,"
                        + " or zero the smallest conv weights (--method unstructured) as the dense baseline.")
public final class PruneCommand implements Callable<Integer> {
    public static final String CHECKPOINT = "pruned.safetensors";
    public static final String REPORT = "prune-report.json";

    @Spec CommandSpec spec;
    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--method",
            paramLabel = "M",
            completionCandidates = MethodNames.class,
            description =
                    "Channel importance criterion: ${COMPLETION-CANDIDATES} (see Criteria below).")
    String method;

    @Option(
            names = "--ratio",
            paramLabel = "R",
            description = "Fraction of prunable channels to remove, in [0, 1).")
    Double ratio;

    @Option(
            names = "--scope",
            defaultValue = "global",
            paramLabel = "S",
            description =
                    "global (one threshold over all spaces) or local (same ratio everywhere); default ${DEFAULT-VALUE}.")
    String scope;

    @Option(
            names = "--min-channels",
            defaultValue = "8",
            description = "No space below this many channels (default ${DEFAULT-VALUE}).")
    int minChannels;

    @Option(
            names = "--round-to",
            defaultValue = "1",
            description = "Round pruned widths to a multiple of this (default ${DEFAULT-VALUE}).")
    int roundTo;

    @Option(
            names = "--overrides",
            paramLabel = "YAML",
            description = "Map of layer index or space name to a ratio or 'exclude'.")
    Path overrides;

    @Option(
            names = "--steps",
            defaultValue = "1",
            description =
                    "Prune in this many steps of increasing ratio (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--data",
            paramLabel = "YAML",
            description =
                    "With --steps k: a dataset to finetune on between steps (a short finetune, as iterative pruning does);"
                            + " with --reconstruct: the dataset whose training images calibrate the reconstruction.")
    String data;

    @Option(
            names = "--reconstruct",
            description =
                    "After pruning, re-fit every conv that lost input channels by least squares so its output matches"
                            + " the original network's on --calib-images training images of --data (no training).")
    boolean reconstruct;

    @Option(
            names = "--calib-images",
            defaultValue = "64",
            description = "Calibration images for --reconstruct (default ${DEFAULT-VALUE}).")
    int calibImages;

    @Option(
            names = "--step-epochs",
            defaultValue = "1",
            description = "Epochs of each between-steps finetune (default ${DEFAULT-VALUE}).")
    int stepEpochs;

    @Option(
            names = "--batch",
            defaultValue = "16",
            description = "Batch size of the between-steps finetune (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--target-gflops",
            paramLabel = "F",
            description = "Reach this fraction of the original GFLOPs (searches the ratio).")
    Double targetGflops;

    @Option(
            names = "--target-params",
            paramLabel = "F",
            description = "Reach this fraction of the original parameters (searches the ratio).")
    Double targetParams;

    @Option(
            names = "--no-split-parity",
            description = "Prune the two halves of C2f/C3k2 splits independently.")
    boolean noSplitParity;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description =
                    "Seed for random scores and YAML initialisation (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--imgsz",
            defaultValue = "640",
            description =
                    "Image size for GFLOPs (default ${DEFAULT-VALUE}); with --reconstruct also the"
                            + " calibration images' size, so give it there: the size the model"
                            + " runs at.")
    int imgsz;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (any Hadoop URI).")
    String out;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (method == null) {
            throw new InputException("--method is required: " + ImportanceRegistry.choices());
        }
        if (out == null) {
            throw new InputException(
                    "--out DIR is required: where pruned.safetensors and the report go");
        }
        Overrides ov = overrides == null ? Overrides.NONE : Overrides.read(overrides);
        PruneConfig config =
                PruneConfig.builder(Method.parse(method))
                        .scope(Scope.parse(scope))
                        .ratio(ratio)
                        .targets(targetGflops, targetParams)
                        .guards(minChannels, roundTo)
                        .overrides(ov)
                        .steps(steps)
                        .seed(seed)
                        .splitParity(!noSplitParity)
                        .imgsz(imgsz)
                        .build()
                        .validate();
        String dir = out.endsWith("/") ? out.substring(0, out.length() - 1) : out;
        ReconstructSettings rs = reconstruct ? reconstructSettings() : null;
        DatasetSplits calibration = reconstruct ? DatasetSplits.scan(data, 2) : null;
        try (YoloModel model = modelOptions.load(Device.cpu(), seed)) {
            PruneResult result =
                    Pruner.prune(model, config, reconstruct ? Pruner.StepHook.NONE : stepHook(dir));
            try (YoloModel pruned = result.model()) {
                ReconstructReport rr = null;
                if (reconstruct) {
                    checkClasses(model, calibration);
                    CalibrationImages images =
                            CalibrationImages.load(
                                    calibration.train(), rs.calibImages(), imgsz, rs.batch(), 2);
                    try (ReconstructProgressBar bar = new ReconstructProgressBar(System.err)) {
                        rr =
                                Reconstructor.reconstruct(
                                        model,
                                        pruned,
                                        RefitConv.consumers(result.plans().get(0)),
                                        images,
                                        rs,
                                        bar);
                    }
                }
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put(
                        "prunesweep.prune",
                        String.format(
                                "method=%s scope=%s ratio=%s steps=%d min_channels=%d round_to=%d seed=%d",
                                config.method().id(),
                                config.scope().id(),
                                result.ratio(),
                                steps,
                                minChannels,
                                roundTo,
                                seed));
                if (modelOptions.weights() != null) {
                    meta.put("prunesweep.source", modelOptions.weights());
                }
                if (config.method() == Method.UNSTRUCTURED) {
                    meta.put(WeightMasks.METADATA_KEY, WeightMasks.ZEROS);
                }
                if (rr != null) {
                    meta.put(
                            "prunesweep.reconstruct",
                            "calib_images=" + rr.images() + " data=" + data);
                }
                String ckpt = FileSystems.child(out, CHECKPOINT);
                Checkpoint.save(pruned, ckpt, meta);
                Map<String, Object> report = new LinkedHashMap<>(PruneReport.toMap(result));
                report.put("checkpoint", ckpt);
                if (rr != null) {
                    report.put("reconstruct", rr.toMap());
                }
                long nonzero = 0;
                if (config.method() == Method.UNSTRUCTURED) {
                    nonzero = MaskedWeights.nonzeroParameters(pruned.graph(), pruned.stateDict());
                    report.put("nonzero_params_after", nonzero);
                }
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                byte[] bytes = mapper.writeValueAsString(report).getBytes(StandardCharsets.UTF_8);
                FileSystems.writeAtomically(FileSystems.child(out, REPORT), o -> o.write(bytes));
                var w = spec.commandLine().getOut();
                if (json) {
                    w.println(mapper.writeValueAsString(report));
                } else {
                    if (config.method() == Method.UNSTRUCTURED) {
                        long params = pruned.graph().parameterCount();
                        w.println(
                                String.format(
                                        java.util.Locale.ROOT,
                                        "%s%s unstructured (%s, ratio %.3f): nonzero params %,d -> %,d"
                                                + " (%.1f%%); dense shapes, params and GFLOPs unchanged",
                                        pruned.graph().name(),
                                        pruned.graph().scale() == null
                                                ? ""
                                                : pruned.graph().scale(),
                                        config.scope().id(),
                                        result.ratio(),
                                        MaskedWeights.nonzeroParameters(
                                                model.graph(), model.stateDict()),
                                        nonzero,
                                        100.0 * nonzero / params));
                    } else {
                        w.print(PruneReport.table(result));
                    }
                    if (rr != null) {
                        w.println(rr.summary());
                    }
                    w.println("wrote " + ckpt);
                }
                w.flush();
            }
        }
        return 0;
    }

    /** Checks the reconstruction options before any work: one clear line for each mistake. */
    private ReconstructSettings reconstructSettings() {
        if (data == null) {
            throw new InputException(
                    "--reconstruct needs --data data.yaml: its training images calibrate the least-squares"
                            + " re-fit (e.g. --data /tmp/shapes128/data.yaml --calib-images 64)");
        }
        if ("unstructured".equalsIgnoreCase(method)) {
            throw new InputException(
                    "--reconstruct re-fits convs that lost input channels; unstructured pruning removes no"
                            + " channel: drop --reconstruct or use a structured method (bn, l1, l2, random)");
        }
        if (steps > 1) {
            throw new InputException(
                    "--reconstruct works on one pruning step: drop --steps "
                            + steps
                            + " (or prune iteratively without --reconstruct)");
        }
        ReconstructSettings settings =
                ReconstructSettings.defaults()
                        .withCalibImages(calibImages)
                        .withBatch(Math.min(batch, 8))
                        .validate();
        if (!spec.commandLine().getParseResult().hasMatchedOption("--imgsz")) {
            // a 128 px model calibrated on 640 px images fits features it never sees, 25x slower
            throw new InputException(
                    "--reconstruct calibrates on training images letterboxed to --imgsz: give the size"
                            + " the model was trained at and runs at (e.g. --imgsz 128 for the"
                            + " quickstart's model)");
        }
        return settings;
    }

    private static void checkClasses(YoloModel model, DatasetSplits data) {
        if (model.graph().nc() != data.nc()) {
            throw new InputException(
                    "the model has nc="
                            + model.graph().nc()
                            + " but "
                            + data.source()
                            + " has "
                            + data.nc()
                            + " classes: calibrate the reconstruction on the dataset the model was trained on");
        }
    }

    /**
     * The registered criteria, read when the help is drawn (so a criterion registered later is
     * listed).
     */
    static final class MethodNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ImportanceRegistry.ids().iterator();
        }
    }

    /**
     * Adds the "Criteria" section (one line per registered method and its summary) to the prune
     * help.
     */
    static void addCriteriaSection(picocli.CommandLine prune) {
        String key = "criteria";
        prune.getHelpSectionMap()
                .put(
                        key,
                        help ->
                                "%nCriteria (--method):%n".formatted()
                                        + String.join(
                                                System.lineSeparator(),
                                                ImportanceRegistry.summaries())
                                        + System.lineSeparator());
        java.util.List<String> keys = new java.util.ArrayList<>(prune.getHelpSectionKeys());
        keys.add(
                keys.indexOf(picocli.CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING),
                key);
        prune.setHelpSectionKeys(keys);
    }

    /**
     * Between steps: nothing, or a short finetune on --data (ultralytics' training defaults,
     * --step-epochs).
     */
    private Pruner.StepHook stepHook(String dir) {
        if (data == null) {
            return Pruner.StepHook.NONE;
        }
        if (steps < 2) {
            throw new InputException(
                    "--data is for iterative pruning (add --steps k, k >= 2) or for --reconstruct");
        }
        DatasetSplits splits = DatasetSplits.scan(data, 2);
        TrainConfig cfg = TrainConfig.defaults().withRun(stepEpochs, batch, imgsz, seed, 2, true);
        return new IterativeFinetune(
                cfg, splits.train(), splits.val(), dir, new TrainProgressBar(System.err));
    }
}
