package io.prunesweep.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prunesweep.data.AugmentConfig;
import io.prunesweep.data.Batch;
import io.prunesweep.data.DetectionLoader;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.eval.DetectionResult;
import io.prunesweep.eval.Validator;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.FileSystems;
import io.prunesweep.io.SafeTensors;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import io.prunesweep.train.loss.AssignerSettings;
import io.prunesweep.train.loss.DetectionLoss;
import io.prunesweep.train.loss.LossGains;
import io.prunesweep.train.loss.LossOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The training loop shared by every stage (dense, sparse, finetune), following ultralytics' trainer: gradient
 * accumulation to a nominal batch of 64, warmup, linear lr decay, clipping at norm 10, EMA, validation of the EMA
 * each epoch, {@code last}/{@code best} checkpoints. With {@code sparsity > 0} the Network Slimming subgradient is
 * added to the BN gammas before each step.
 *
 * <p>DJL allows one {@link GradientCollector} per JVM at a time, so one trainer runs per JVM; sweeps run points in
 * separate JVMs. Every batch lives in its own {@link NDManager} scope so native memory stays flat.
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final YoloDataset trainSet;
    private final YoloDataset valSet;
    private final String outDir;
    private final TrainListener listener;
    private Predicate<String> sparseGamma = name -> name.endsWith(".bn.weight");

    /** Where a run stands: enough to continue it exactly. */
    record State(int startEpoch, long iterations, long emaUpdates, double bestFitness, Map<String, float[]> optimizer) {}

    public record Result(String last, String best, List<EpochMetrics> epochs, DetectionResult finalMetrics) {}

    public Trainer(TrainConfig cfg, YoloDataset trainSet, YoloDataset valSet, String outDir, TrainListener listener) {
        this.cfg = cfg.validated();
        this.trainSet = trainSet;
        this.valSet = valSet;
        this.outDir = outDir.endsWith("/") ? outDir.substring(0, outDir.length() - 1) : outDir;
        this.listener = listener;
    }

    /** Which BN gammas the sparsity penalty applies to (by state-dict name); default every BN gamma. */
    public Trainer withSparseGammas(Predicate<String> select) {
        this.sparseGamma = select;
        return this;
    }

    public String lastUri() {
        return outDir + "/last.safetensors";
    }

    public String bestUri() {
        return outDir + "/best.safetensors";
    }

    /** Trains {@code model} (fresh, imported or pruned weights) from epoch 0. The model is updated in place. */
    public Result fit(YoloModel model) {
        return run(model, new State(0, 0, 0, -1, null));
    }

    /** Continues the run saved in {@code last.safetensors}; returns the model through {@code Result.last}. */
    public Result resume(String lastUri) {
        SafeTensors.Content c = Checkpoint.read(lastUri);
        ModelGraph graph = Checkpoint.storedGraph(c, lastUri);
        if (graph == null || !c.metadata().containsKey("train.epoch")) {
            throw new io.prunesweep.InputException(lastUri + ": not a resumable PruneSweep training checkpoint");
        }
        Map<String, Tensor> raw = new LinkedHashMap<>();
        Map<String, float[]> optim = new LinkedHashMap<>();
        c.tensors().forEach((k, t) -> {
            if (k.startsWith("train.model.")) raw.put(k.substring("train.model.".length()), t);
            if (k.startsWith("train.optim.")) optim.put(k.substring("train.optim.".length()), t.data());
        });
        Map<String, String> md = c.metadata();
        State st = new State(Integer.parseInt(md.get("train.epoch")) + 1, Long.parseLong(md.get("train.iterations")),
                Long.parseLong(md.get("train.ema_updates")), Double.parseDouble(md.get("train.best_fitness")), optim);
        try (YoloModel model = YoloModel.create(graph, cfg.seed(), io.prunesweep.model.Devices.current())) {
            model.loadStateDict(raw);
            Map<String, Tensor> emaWeights = new LinkedHashMap<>(c.tensors());
            emaWeights.keySet().removeIf(k -> k.startsWith(Checkpoint.TRAIN_PREFIX));
            return run(model, st, emaWeights);
        }
    }

    private Result run(YoloModel model, State st) {
        return run(model, st, null);
    }

    private Result run(YoloModel model, State st, Map<String, Tensor> emaWeights) {
        ModelGraph graph = model.graph();
        int nc = graph.nc();
        Map<String, Parameter> params = model.network().parameters();
        Map<Parameter, String> names = new IdentityHashMap<>();
        params.forEach((k, v) -> names.put(v, k));
        ParamGroups groups = ParamGroups.of(params);
        int accumulateTarget = Math.max((int) Math.round((double) cfg.nbs() / cfg.batch()), 1);
        float weightDecay = cfg.weightDecay() * cfg.batch() * accumulateTarget / cfg.nbs();

        DetectionLoader.Options trainOpts = DetectionLoader.Options.train(cfg.imgsz(), cfg.batch())
                .withWorkers(Math.max(1, cfg.workers())).withSeed(cfg.seed()).withCache(cfg.cache())
                .withEpochs(cfg.epochs()).withAugment(AugmentConfig.defaults().withCloseMosaic(cfg.closeMosaic()));
        try (DetectionLoader loader = new DetectionLoader(trainSet, trainOpts);
                ModelEma ema = new ModelEma(model, cfg.emaDecay(), cfg.emaTau())) {
            int nb = loader.size();
            if (nb == 0) throw new TrainingFailure("the training split has no usable images: " + trainSet.report().summary());
            long totalIterations = (long) Math.ceil((double) trainSet.size() / Math.max(cfg.batch(), cfg.nbs())) * cfg.epochs();
            TrainConfig.ResolvedOptimizer ro = cfg.resolveOptimizer(totalIterations, nc);
            LrSchedule schedule = LrSchedule.of(cfg, ro.lr0(), ro.momentum(), ro.warmupBiasLr(), nb);
            List<Parameter> gammas = new ArrayList<>();
            List<Parameter> betas = new ArrayList<>();
            params.forEach((k, p) -> {
                if (k.endsWith(".bn.weight") && sparseGamma.test(k)) {
                    gammas.add(p);
                    betas.add(params.get(k.substring(0, k.length() - "weight".length()) + "bias"));
                }
            });
            if (emaWeights != null) ema.load(emaWeights);
            ema.setUpdates(st.emaUpdates());
            DetectionLoss lossFn = new DetectionLoss(nc, graph.head().intAttr("reg_max"), floats(graph.strides()),
                    new LossGains(cfg.box(), cfg.cls(), cfg.dfl()), AssignerSettings.DEFAULTS);
            List<EpochMetrics> rows = new ArrayList<>();
            DetectionResult lastResult = null;
            double bestFitness = st.bestFitness();
            try (FlatParameters flat = new FlatParameters(groups);
                    SparsityRegularizer sparsity = new SparsityRegularizer(gammas, betas, cfg.sparsity(),
                            cfg.sparsityBeta(), cfg.epochs());
                    Optimizer opt = Optimizer.create(ro.name(), flat, names, weightDecay)) {
                if (st.optimizer() != null) opt.loadState(st.optimizer());
                listener.onStart(st.startEpoch(), cfg.epochs(), nb, String.format(Locale.ROOT,
                        "train: %s | %s lr0=%.6g momentum=%.3g | %d batches/epoch | sparsity lambda=%g on %d BN layers",
                        trainSet.report().summary(), ro.name(), ro.lr0(), ro.momentum(), nb, cfg.sparsity(), gammas.size()));
                long ni = st.iterations();
                long lastStep = ni - 1;
                for (int epoch = st.startEpoch(); epoch < cfg.epochs(); epoch++) {
                    long t0 = System.nanoTime();
                    double[] sums = new double[3];
                    int seen = 0;
                    int images = 0;
                    float lr = 0;
                    try (DetectionLoader.Epoch batches = loader.epoch(epoch)) {
                        int bi = 0;
                        for (Batch batch : batches) {
                            int accumulate = schedule.accumulate(ni, cfg.nbs(), cfg.batch());
                            LossOutput lo;
                            try (NDManager scope = model.manager().newSubManager()) {
                                NDArray images_ = batch.images(scope);
                                NDArray targets = batch.targets(scope);
                                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                    NDList raw = model.network().forwardRaw(new ParameterStore(scope, false), images_, true);
                                    lo = lossFn.compute(raw, targets, batch.height(), batch.width());
                                    gc.backward(lo.total());
                                }
                                if (!Float.isFinite(lo.box() + lo.cls() + lo.dfl())) {
                                    throw new TrainingFailure(String.format(Locale.ROOT,
                                            "loss became %s at epoch %d batch %d (box %s cls %s dfl %s); lower lr0 or check the data",
                                            "NaN/inf", epoch + 1, bi + 1, lo.box(), lo.cls(), lo.dfl()));
                                }
                                if (ni - lastStep >= accumulate) {
                                    Optimizer.GroupSettings s = schedule.at(epoch, ni);
                                    lr = s.lr()[2];
                                    NDArray grads = flat.gradients(scope);
                                    NDArray weights = flat.weights(scope);
                                    sparsity.apply(epoch, flat, grads, weights);
                                    GradClip.clip(grads, cfg.maxGradNorm());
                                    opt.step(grads, weights, s);
                                    flat.zeroGradients();
                                    ema.update();
                                    lastStep = ni;
                                }
                            }
                            sums[0] += lo.box();
                            sums[1] += lo.cls();
                            sums[2] += lo.dfl();
                            seen++;
                            images += batch.size();
                            double ips = images / ((System.nanoTime() - t0) / 1e9);
                            listener.onBatch(epoch, bi, nb, sums[0] / seen, sums[1] / seen, sums[2] / seen, ips);
                            ni++;
                            bi++;
                        }
                    }
                    double trainSeconds = (System.nanoTime() - t0) / 1e9;
                    listener.onValidation(epoch);
                    lastResult = Validator.evaluate(ema.model(), valSet, cfg.imgsz(), cfg.batch(), Math.max(1, cfg.workers()));
                    double fitness = lastResult.fitness();
                    GammaSummary gs = GammaSummary.of(collect(ema.model(), gammas.isEmpty() ? null : sparseGamma));
                    EpochMetrics row = new EpochMetrics(epoch, sums[0] / seen, sums[1] / seen, sums[2] / seen, lr,
                            lastResult.map50(), lastResult.map50to95(), lastResult.precision(), lastResult.recall(),
                            fitness, sparsity.active() ? sparsity.lambdaAt(epoch) : 0, gs,
                            (System.nanoTime() - t0) / 1e9, images / trainSeconds);
                    rows.add(row);
                    appendCsv(row);
                    boolean best = fitness > bestFitness;
                    if (best) bestFitness = fitness;
                    saveLast(model, ema, opt, epoch, ni, bestFitness, row);
                    if (best) Checkpoint.save(ema.model(), bestUri(), Map.of("train.epoch", String.valueOf(epoch)));
                    listener.onEpoch(row);
                }
                listener.onEnd();
            }
            return new Result(lastUri(), bestUri(), rows, lastResult);
        }
    }

    private static List<Parameter> collect(YoloModel m, Predicate<String> select) {
        List<Parameter> out = new ArrayList<>();
        m.network().parameters().forEach((k, p) -> {
            if (k.endsWith(".bn.weight") && (select == null || select.test(k))) out.add(p);
        });
        return out;
    }

    private void saveLast(YoloModel model, ModelEma ema, Optimizer opt, int epoch, long ni, double best, EpochMetrics row) {
        Map<String, Tensor> extra = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> extra.put("train.model." + k, t));
        opt.state().forEach((k, v) -> extra.put("train.optim." + k, Tensor.f32(new long[] {v.length}, v)));
        Map<String, String> md = new LinkedHashMap<>();
        md.put("train.epoch", String.valueOf(epoch));
        md.put("train.epochs", String.valueOf(cfg.epochs()));
        md.put("train.iterations", String.valueOf(ni));
        md.put("train.ema_updates", String.valueOf(ema.updates()));
        md.put("train.best_fitness", String.valueOf(best));
        md.put("train.optimizer", opt.name());
        md.put("train.sparsity", String.valueOf(cfg.sparsity()));
        md.put("train.map50_95", String.valueOf(row.map50_95()));
        Checkpoint.save(ema.model(), lastUri(), md, extra);
    }

    private void appendCsv(EpochMetrics row) {
        String uri = outDir + "/results.csv";
        String previous = "";
        if (row.epoch() > 0 && FileSystems.exists(uri)) {
            try (var in = FileSystems.open(uri)) {
                previous = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                previous = "";
            }
            // a resumed run rewrites the rows from its first epoch on
            StringBuilder kept = new StringBuilder();
            for (String line : previous.split("\n")) {
                if (line.isEmpty() || line.startsWith("epoch")) continue;
                if (Integer.parseInt(line.substring(0, line.indexOf(','))) < row.epoch()) kept.append(line).append('\n');
            }
            previous = kept.toString();
        }
        String text = EpochMetrics.csvHeader() + "\n" + previous + row.csvRow() + "\n";
        FileSystems.writeAtomically(uri, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static float[] floats(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = v[i];
        return f;
    }
}
