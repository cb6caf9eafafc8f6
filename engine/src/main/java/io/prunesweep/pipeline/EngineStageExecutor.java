package io.prunesweep.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.InputException;
import io.prunesweep.backend.BackendGuard;
import io.prunesweep.data.DatasetSplits;
import io.prunesweep.data.SyntheticDatasetSpec;
import io.prunesweep.data.convert.ConvertedDatasetSpec;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.FileSystems;
import io.prunesweep.io.onnx.YoloOnnxExporter;
import io.prunesweep.model.Devices;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.Method;
import io.prunesweep.prune.Overrides;
import io.prunesweep.prune.PruneConfig;
import io.prunesweep.prune.PruneResult;
import io.prunesweep.prune.Pruner;
import io.prunesweep.prune.Scope;
import io.prunesweep.prune.reconstruct.CalibrationImages;
import io.prunesweep.prune.reconstruct.ReconstructReport;
import io.prunesweep.prune.reconstruct.ReconstructSettings;
import io.prunesweep.prune.reconstruct.Reconstructor;
import io.prunesweep.prune.reconstruct.RefitConv;
import io.prunesweep.train.TrainConfig;
import io.prunesweep.train.TrainOverrides;
import io.prunesweep.train.WeightMasks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's stages of a grid point: dense training (or import of an initial checkpoint), sparse
 * training (Network Slimming: L1 on the prunable BN γ), and prune → finetune → evaluate → export.
 * Registered with {@link java.util.ServiceLoader}, run by {@link StageMain} in a child JVM per
 * stage.
 *
 * <p>Each stage leaves {@code model.safetensors} (the checkpoint the next stage starts from; its
 * measured metrics travel in its metadata so the next stage need not re-validate it) and one folder
 * per training phase ({@code train/}, {@code sparse/}, {@code finetune/}) with last/best
 * checkpoints and results.csv, so an interrupted stage continues from its last epoch when the sweep
 * is run again.
 */
public final class EngineStageExecutor implements StageExecutor {
    static final String MODEL = "model.safetensors";
    static final String PRUNED = "pruned.safetensors";
    static final String ONNX = "model.onnx";

    /** Accuracy of the pruned (and re-fitted) model before finetuning. */
    static final String AFTER_PRUNE = "after-prune.json";

    private static final String RECONSTRUCT_SECONDS = "reconstruct.seconds";

    /** Checkpoint metadata key holding the measured metrics of the model (JSON map). */
    static final String METRICS_KEY = "prunesweep.metrics";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public StageResult run(StageRequest request, ProgressListener progress) throws Exception {
        BackendGuard.ensure(); // never train or measure on wrong numbers: a failed check fails the
        // stage with its reason
        FileSystems.configure(request.fsConf());
        Devices.use(Devices.parse(request.device() == null ? "cpu" : request.device()));
        StageSettings s = request.settings();
        int workers = Math.max(1, request.threads());
        progress.onProgress(Progress.note("data", "scanning " + s.dataset()));
        DatasetSplits data = data(s, workers);
        return switch (request.kind()) {
            case DENSE -> dense(request, data, workers, progress);
            case SPARSE -> sparse(request, data, workers, progress);
            case PRUNE_FINETUNE -> pruneFinetune(request, data, workers, progress);
            case SENSITIVITY -> SensitivityScan.run(request, data, workers, progress);
        };
    }

    private StageResult dense(
            StageRequest req, DatasetSplits data, int workers, ProgressListener progress) {
        StageSettings s = req.settings();
        StageTraining.Outcome o;
        try (YoloModel start = initialModel(s, data)) {
            if (s.epochs() == 0) { // an imported checkpoint is the dense model as it is
                return finish(
                        req,
                        start,
                        data,
                        workers,
                        Map.of(),
                        List.of(),
                        Map.of(),
                        progress,
                        child(req, MODEL));
            }
            o =
                    StageTraining.run(
                            "dense",
                            trainConfig(s, 0, workers),
                            data,
                            child(req, "train"),
                            null,
                            start,
                            StageTraining.Keep.BEST,
                            progress);
        }
        try (YoloModel model = Checkpoint.load(o.checkpoint(), null, Devices.current())) {
            return finish(
                    req,
                    model,
                    data,
                    workers,
                    o.recoveryMetrics(),
                    o.epochs(),
                    Map.of("train", o.seconds()),
                    progress,
                    child(req, MODEL));
        }
    }

    private StageResult sparse(
            StageRequest req, DatasetSplits data, int workers, ProgressListener progress) {
        StageSettings s = req.settings();
        if (s.lambda() <= 0) {
            throw new InputException(
                    "sparse stage "
                            + req.pointId()
                            + " has lambda "
                            + s.lambda()
                            + "; it must be > 0");
        }
        String input = input(req);
        Map<String, Double> durations = new LinkedHashMap<>();
        StageTraining.Outcome o;
        try (YoloModel start = Checkpoint.load(input, null, Devices.current())) {
            checkClasses(start.graph(), data);
            // The final sparse model is what Network Slimming prunes (best-by-fitness would favour
            // early, denser epochs).
            o =
                    StageTraining.run(
                            "sparse",
                            trainConfig(s, s.lambda(), workers),
                            data,
                            child(req, "sparse"),
                            PrunableGammas.names(start.graph()),
                            start,
                            StageTraining.Keep.LAST,
                            progress);
            durations.put("train", o.seconds());
        }
        try (YoloModel model = Checkpoint.load(o.checkpoint(), null, Devices.current())) {
            return finish(
                    req,
                    model,
                    data,
                    workers,
                    o.recoveryMetrics(),
                    o.epochs(),
                    durations,
                    progress,
                    child(req, MODEL));
        }
    }

    private StageResult pruneFinetune(
            StageRequest req, DatasetSplits data, int workers, ProgressListener progress) {
        StageSettings s = req.settings();
        String input = input(req);
        Map<String, Double> before = new LinkedHashMap<>();
        Map<String, Double> durations = new LinkedHashMap<>();
        Map<String, Double> pruneMetrics = new LinkedHashMap<>();
        String prunedUri = child(req, PRUNED);
        String finetuneDir = child(req, "finetune");
        boolean resumingFinetune =
                FileSystems.exists(finetuneDir + "/last.safetensors")
                        && FileSystems.exists(prunedUri);
        try (YoloModel original = Checkpoint.load(input, null, Devices.current())) {
            checkClasses(original.graph(), data);
            before.putAll(storedMetrics(input));
            try (YoloModel inference = original.fused()) {
                if (!before.containsKey(MetricKeys.MAP50_95)) {
                    progress.onProgress(Progress.note("eval", "validating the input model"));
                    before.putAll(
                            ModelMeasurements.accuracy(
                                    inference, data.val(), s.imgsz(), s.batch(), workers));
                }
                // Latency is timed here for both models, so before/after compare on the same host
                // and load.
                before.putAll(ModelMeasurements.latency(inference, s.imgsz()));
            }
            before.putAll(ModelMeasurements.size(original, s.imgsz()));
            before.putAll(ModelMeasurements.gammas(original));
            if (!resumingFinetune) {
                progress.onProgress(
                        Progress.note(
                                "prune",
                                "pruning "
                                        + s.method()
                                        + " ratio "
                                        + s.ratio()
                                        + " ("
                                        + s.scope()
                                        + ")"));
                long t0 = System.nanoTime();
                PruneResult pr = Pruner.prune(original, pruneConfig(s));
                try (YoloModel pruned = pr.model()) {
                    durations.put("prune", (System.nanoTime() - t0) / 1e9);
                    if (s.reconstruct()) {
                        progress.onProgress(
                                new Progress(
                                        "reconstruct",
                                        -1,
                                        0,
                                        0,
                                        0,
                                        null,
                                        "least-squares re-fit on "
                                                + RECONSTRUCT.calibImages()
                                                + " training images"));
                        ReconstructReport rr =
                                reconstruct(original, pruned, pr, data, s, workers, progress);
                        pruneMetrics.put(RECONSTRUCT_SECONDS, rr.seconds());
                        double[] e = rr.meanRelativeError();
                        pruneMetrics.put("reconstruct.mean_relative_error_before", e[0]);
                        pruneMetrics.put("reconstruct.mean_relative_error_after", e[1]);
                        pruneMetrics.put("reconstruct.convs", (double) rr.layers().size());
                        pruneMetrics.put(
                                "reconstruct.kept_unrefitted",
                                (double)
                                        rr.layers().stream()
                                                .filter(ReconstructReport.LayerFit::kept)
                                                .count());
                    }
                    // the pruned (and re-fitted) model's accuracy before finetuning, in a file
                    // beside the checkpoint
                    // (read again by a resumed stage; the checkpoint's bytes stay those of the
                    // pruning alone)
                    progress.onProgress(
                            new Progress("eval", -1, 0, 0, 0, null, "validating the pruned model"));
                    Map<String, Double> acc =
                            ModelMeasurements.accuracy(
                                    pruned, data.val(), s.imgsz(), s.batch(), workers);
                    acc.putAll(pruneMetrics);
                    byte[] json = toJson(acc).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    FileSystems.writeAtomically(child(req, AFTER_PRUNE), o -> o.write(json));
                    Checkpoint.save(pruned, prunedUri, prunedMetadata(input, s));
                }
            }
        }
        pruneMetrics.clear();
        readMetrics(child(req, AFTER_PRUNE))
                .forEach(
                        (k, v) -> {
                            if (k.equals(RECONSTRUCT_SECONDS)) {
                                durations.put("reconstruct", v);
                            } else {
                                pruneMetrics.put(
                                        k.startsWith("reconstruct.") ? k : MetricKeys.afterPrune(k),
                                        v);
                            }
                        });
        List<EpochRow> curve = List.of();
        Map<String, Double> recoveries = Map.of(MetricKeys.NAN_RECOVERIES, 0.0);
        String result = prunedUri;
        if (s.epochs() > 0) {
            try (YoloModel pruned = Checkpoint.load(prunedUri, null, Devices.current())) {
                StageTraining.Outcome o =
                        StageTraining.run(
                                "finetune",
                                trainConfig(s, 0, workers),
                                data,
                                finetuneDir,
                                null,
                                pruned,
                                StageTraining.Keep.BEST,
                                unstructured(s),
                                progress);
                curve = o.epochs();
                recoveries = o.recoveryMetrics();
                durations.put("finetune", o.seconds());
                result = o.checkpoint();
            }
        }
        try (YoloModel model = Checkpoint.load(result, null, Devices.current())) {
            Map<String, Double> extra =
                    new LinkedHashMap<>(ModelMeasurements.prefixed("before.", before));
            extra.putAll(pruneMetrics);
            extra.putAll(recoveries);
            StageResult r =
                    finish(
                            req,
                            model,
                            data,
                            workers,
                            extra,
                            curve,
                            durations,
                            progress,
                            child(req, MODEL));
            long t0 = System.nanoTime();
            progress.onProgress(Progress.note("export", "ONNX export checked by ONNX Runtime"));
            YoloOnnxExporter.Result ex =
                    YoloOnnxExporter.export(model, child(req, ONNX), s.imgsz());
            Map<String, Double> metrics = new LinkedHashMap<>(r.metrics());
            metrics.put(
                    "onnx.max_abs_diff",
                    Math.max(ex.check().scoreMaxAbsDiff(), ex.check().boxMaxAbsDiff()));
            // what users deploy: the exported file timed in ONNX Runtime, same batch 1 and image
            // size as the DJL figures
            metrics.putAll(
                    ModelMeasurements.prefixed(
                            "after.", ModelMeasurements.onnxLatency(ex.uri(), model, s.imgsz())));
            Map<String, String> artifacts = new LinkedHashMap<>(r.artifacts());
            artifacts.put("onnx", ex.uri());
            artifacts.put("pruned", prunedUri);
            Map<String, Double> d = new LinkedHashMap<>(r.durations());
            d.put("export", (System.nanoTime() - t0) / 1e9);
            return StageResult.ok(req.kind(), req.pointId(), metrics, artifacts, r.epochs(), d);
        }
    }

    /**
     * Measures the stage's output model (after.*), saves it as the stage checkpoint with the
     * metrics in its metadata, and assembles the result.
     */
    private StageResult finish(
            StageRequest req,
            YoloModel model,
            DatasetSplits data,
            int workers,
            Map<String, Double> extra,
            List<EpochRow> curve,
            Map<String, Double> durations,
            ProgressListener progress,
            String checkpointUri) {
        StageSettings s = req.settings();
        long t0 = System.nanoTime();
        progress.onProgress(Progress.note("eval", "validating " + data.val().size() + " images"));
        Map<String, Double> after = new LinkedHashMap<>(ModelMeasurements.size(model, s.imgsz()));
        try (YoloModel inference =
                model.fused()) { // BN folded, as deployed and as ultralytics validates
            after.putAll(
                    ModelMeasurements.accuracy(
                            inference, data.val(), s.imgsz(), s.batch(), workers));
            after.putAll(ModelMeasurements.latency(inference, s.imgsz()));
        }
        after.putAll(ModelMeasurements.gammas(model));
        Map<String, Double> d = new LinkedHashMap<>(durations);
        d.put("eval", (System.nanoTime() - t0) / 1e9);
        Checkpoint.save(model, checkpointUri, Map.of(METRICS_KEY, toJson(after)));
        Map<String, Double> metrics = new LinkedHashMap<>(extra);
        metrics.putAll(ModelMeasurements.prefixed("after.", after));
        return StageResult.ok(
                req.kind(),
                req.pointId(),
                metrics,
                Map.of(StageResult.CHECKPOINT, checkpointUri),
                curve,
                d);
    }

    /**
     * The stage's dataset: a data.yaml URI, a {@code shapes:} spec generated once per machine, or a
     * {@code coco:}/{@code voc:}/{@code kitti:} source converted once per machine.
     */
    private static DatasetSplits data(StageSettings s, int workers) {
        String yaml =
                SyntheticDatasetSpec.isSpec(s.dataset())
                        ? SyntheticDatasetSpec.parse(s.dataset())
                                .materialize(SyntheticDatasetSpec.defaultCacheRoot(), s.imgsz())
                                .toString()
                        : ConvertedDatasetSpec.isSpec(s.dataset())
                                ? ConvertedDatasetSpec.parse(s.dataset())
                                        .materialize(
                                                SyntheticDatasetSpec.defaultCacheRoot(), System.err)
                                        .toString()
                                : s.dataset();
        DatasetSplits splits = DatasetSplits.scan(s.dataset(), yaml, workers);
        splits.warnings().forEach(System.err::println); // relayed into the task log
        splits.requireTrainBoxes(false, null);
        return splits;
    }

    /** The dense stage's starting point: an imported checkpoint, or fresh weights from the YAML. */
    private static YoloModel initialModel(StageSettings s, DatasetSplits data) {
        ModelGraph fromYaml =
                s.modelYaml() == null
                        ? null
                        : GraphBuilder.build(
                                ModelDefinition.resolve(s.modelYaml()), s.scale(), data.nc());
        YoloModel m =
                s.initialCheckpoint() != null
                        ? Checkpoint.load(s.initialCheckpoint(), fromYaml, Devices.current())
                        : YoloModel.create(requireGraph(fromYaml), s.seed(), Devices.current());
        try {
            checkClasses(m.graph(), data);
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static ModelGraph requireGraph(ModelGraph g) {
        if (g == null) {
            throw new InputException(
                    "the dense stage needs model.yaml (and scale) or model.checkpoint");
        }
        return g;
    }

    static void checkClasses(ModelGraph g, DatasetSplits data) {
        if (g.nc() != data.nc()) {
            throw new InputException(
                    "the model has nc="
                            + g.nc()
                            + " but "
                            + data.source()
                            + " has "
                            + data.nc()
                            + " classes; import a checkpoint trained on this dataset or train dense from the YAML");
        }
    }

    static String input(StageRequest req) {
        if (req.inputs().isEmpty()) {
            throw new InputException(
                    req.kind() + " stage " + req.pointId() + " has no input checkpoint");
        }
        return req.inputs().get(0);
    }

    private static String child(StageRequest req, String name) {
        return StageFiles.child(req.outputDir(), name);
    }

    private static final java.util.concurrent.atomic.AtomicInteger UNREADABLE_STORED_METRICS =
            new java.util.concurrent.atomic.AtomicInteger();

    static Map<String, Double> storedMetrics(String checkpointUri) {
        String json = Checkpoint.metadata(checkpointUri).get(METRICS_KEY);
        if (json == null) {
            return Map.of();
        }
        try {
            Map<String, Double> m =
                    JSON.readValue(json, new TypeReference<Map<String, Double>>() {});
            // Latency and γ are re-measured by the reader; keep size and accuracy.
            Map<String, Double> keep = new LinkedHashMap<>();
            for (String k :
                    List.of(
                            MetricKeys.MAP50,
                            MetricKeys.MAP50_95,
                            MetricKeys.PRECISION,
                            MetricKeys.RECALL)) {
                if (m.containsKey(k)) {
                    keep.put(k, m.get(k));
                }
            }
            return keep;
        } catch (Exception e) {
            // not fatal (the caller validates the input model again), but never silent: say it and
            // count it
            UNREADABLE_STORED_METRICS.incrementAndGet();
            System.err.println(
                    "warning: "
                            + checkpointUri
                            + ": the metrics stored in the checkpoint are unreadable ("
                            + e.getMessage()
                            + "); validating the input model again"); // relayed into the task log
            return Map.of();
        }
    }

    /**
     * How often this JVM found a checkpoint's stored metrics unreadable (and validated the model
     * instead).
     */
    static int unreadableStoredMetrics() {
        return UNREADABLE_STORED_METRICS.get();
    }

    private static Map<String, Double> readMetrics(String uri) {
        if (!FileSystems.exists(uri)) {
            return Map.of();
        }
        try (java.io.InputStream in = FileSystems.open(uri)) {
            return JSON.readValue(in.readAllBytes(), new TypeReference<Map<String, Double>>() {});
        } catch (Exception e) {
            return Map.of();
        }
    }

    private static String toJson(Map<String, Double> m) {
        try {
            return JSON.writeValueAsString(m);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Ultralytics' training defaults with the point's size, batch, epochs, seed, λ and the sweep's
     * {@code train:} values.
     */
    static TrainConfig trainConfig(StageSettings s, double lambda, int workers) {
        TrainConfig base =
                TrainConfig.defaults()
                        .withRun(s.epochs(), s.batch(), s.imgsz(), s.seed(), workers, true)
                        .withSparsity((float) lambda)
                        .withThreads(workers);
        return TrainOverrides.apply(base, s.train()).validated();
    }

    /**
     * The pruned checkpoint's metadata, in a fixed order: with {@code Map.of} the order (and so the
     * file's bytes) changed from one JVM to the next with the JDK's per-run hash salt, and
     * re-pruning was byte-identical only half of the time.
     */
    static Map<String, String> prunedMetadata(String input, StageSettings s) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("prunesweep.pruned_from", input);
        meta.put("prunesweep.prune", s.method() + ":" + s.ratio() + ":" + s.scope());
        if (s.reconstruct()) {
            meta.put("prunesweep.reconstruct", "calib_images=" + RECONSTRUCT.calibImages());
        }
        if (unstructured(s)) {
            meta.put(WeightMasks.METADATA_KEY, WeightMasks.ZEROS);
        }
        return meta;
    }

    /**
     * Reconstruction in a sweep: the defaults (64 calibration images, the first of the training
     * split).
     */
    static final ReconstructSettings RECONSTRUCT = ReconstructSettings.defaults();

    private static ReconstructReport reconstruct(
            YoloModel original,
            YoloModel pruned,
            PruneResult pr,
            DatasetSplits data,
            StageSettings s,
            int workers,
            ProgressListener progress) {
        if (unstructured(s)) {
            throw new InputException(
                    "reconstruction re-fits convs that lost input channels; unstructured pruning removes"
                            + " none: set prune.reconstruct to false for the unstructured method");
        }
        ReconstructSettings rs = RECONSTRUCT.withBatch(Math.max(1, Math.min(8, s.batch())));
        CalibrationImages images =
                CalibrationImages.load(
                        data.train(), rs.calibImages(), s.imgsz(), rs.batch(), workers);
        return Reconstructor.reconstruct(
                original,
                pruned,
                RefitConv.consumers(pr.plans().get(0)),
                images,
                rs,
                (done, total, fit) ->
                        progress.onProgress(
                                new Progress(
                                        "reconstruct",
                                        0,
                                        1,
                                        done,
                                        total,
                                        Map.of("relative_error_after", fit.relativeAfter()),
                                        "re-fitted conv " + fit.conv())));
    }

    static boolean unstructured(StageSettings s) {
        return s.method() != null && Method.parse(s.method()) == Method.UNSTRUCTURED;
    }

    static PruneConfig pruneConfig(StageSettings s) {
        return PruneConfig.builder(Method.parse(s.method()))
                .scope(Scope.parse(s.scope() == null ? "global" : s.scope()))
                .ratio(s.ratio())
                .guards(Math.max(1, s.minChannels()), Math.max(1, s.roundTo()))
                .overrides(
                        s.overrides().isEmpty()
                                ? Overrides.NONE
                                : Overrides.of(s.overrides(), "prune.overrides"))
                .seed(s.seed())
                .imgsz(s.imgsz())
                .build();
    }
}
