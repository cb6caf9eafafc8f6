package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import io.prunesweep.InputException;
import io.prunesweep.data.Batch;
import io.prunesweep.data.DetectionLoader;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.eval.DetectionResult;
import io.prunesweep.eval.Validator;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.FileSystems;
import io.prunesweep.io.SafeTensors;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.Devices;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
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
 * <p>DJL allows one {@code GradientCollector} per JVM at a time, so one trainer runs per JVM; sweeps run points in
 * separate JVMs. Every batch lives in its own {@code NDManager} scope so native memory stays flat.
 *
 * <p><b>Resume.</b> {@code last.safetensors} holds everything the loop's future depends on, so 1 epoch + resume +
 * 1 epoch gives the same weights and metric rows as 2 epochs straight: the raw weights and BatchNorm statistics,
 * the EMA weights and its update count, the optimizer buffers and step count, the iteration counter and the
 * iteration of the last optimizer step (they place the lr/momentum warmup, the accumulation ramp and the next
 * step), gradients accumulated since that step, the best fitness and the last lr. The loader has no state to
 * save: its shuffle and augmentation draw from streams seeded by (seed, epoch, image). Same config, same seed and
 * the same number of libtorch threads are assumed (parallel reductions are deterministic for a fixed count).
 */
public final class Trainer {
    private static final String GRADIENTS = "train.grad";

    private final TrainConfig cfg;
    private final YoloDataset trainSet;
    private final YoloDataset valSet;
    private final String outDir;
    private final TrainListener listener;
    private Predicate<String> sparseGamma = name -> name.endsWith(".bn.weight");
    private boolean weightMasks;

    /** Where a run stands: enough to continue it exactly. */
    record State(int startEpoch, long iterations, long lastStep, long emaUpdates, double bestFitness, float lastLr,
            Map<String, float[]> optimizer, float[] pendingGradients) {
        static State fresh() {
            return new State(0, 0, -1, 0, -1, 0, null, null);
        }
    }

    /** @param nanRecoveries times a non-finite loss was replayed from the last good state and did not recur */
    public record Result(String last, String best, List<EpochMetrics> epochs, DetectionResult finalMetrics, int nanRecoveries) {}

    /** Replays of a non-finite loss before the run gives up. */
    static final int MAX_NAN_REPLAYS = 3;

    /** A non-finite loss at (epoch, batch), both 0-based. */
    static final class NonFiniteLoss extends TrainingFailure {
        final int epoch;
        final int batch;

        NonFiniteLoss(int epoch, int batch, String message) {
            super(message);
            this.epoch = epoch;
            this.batch = batch;
        }
    }

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

    /**
     * Keeps the conv weights that are 0 when training starts at 0 (unstructured pruning's masks). A resumed run
     * reads this from its {@code last} checkpoint.
     */
    public Trainer withWeightMasks(boolean on) {
        this.weightMasks = on;
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
        return runReplayingNaN(model, State.fresh(), null);
    }

    /**
     * Continues the run saved in {@code last.safetensors} up to this trainer's {@code epochs}; the rows returned
     * are those of the epochs trained now. Weights go to {@code Result.last}.
     */
    public Result resume(String lastUri) {
        Resumed r = readResumable(lastUri);
        try (YoloModel model = YoloModel.create(r.graph(), cfg.seed(), Devices.current())) {
            model.loadStateDict(r.weights());
            return runReplayingNaN(model, r.state(), r.ema());
        }
    }

    /** What {@code last.safetensors} holds: the graph, the raw weights, the loop's state and the EMA weights. */
    private record Resumed(ModelGraph graph, Map<String, Tensor> weights, State state, Map<String, Tensor> ema) {}

    private Resumed readResumable(String lastUri) {
        SafeTensors.Content c = Checkpoint.read(lastUri);
        ModelGraph graph = Checkpoint.storedGraph(c, lastUri);
        Map<String, String> md = c.metadata();
        if (WeightMasks.ZEROS.equals(md.get(WeightMasks.METADATA_KEY))) weightMasks = true;
        if (graph == null || !md.containsKey("train.epoch")) {
            throw new InputException(lastUri + ": not a resumable PruneSweep training checkpoint");
        }
        int done = Integer.parseInt(md.get("train.epoch")) + 1;
        if (done >= cfg.epochs()) {
            throw new InputException(lastUri + ": the run already finished its " + done + " epochs; pass more --epochs to"
                    + " continue it, or start a new run");
        }
        Map<String, Tensor> raw = new LinkedHashMap<>();
        Map<String, float[]> optim = new LinkedHashMap<>();
        Map<String, Tensor> emaWeights = new LinkedHashMap<>();
        c.tensors().forEach((k, t) -> {
            if (k.startsWith("train.model.")) raw.put(k.substring("train.model.".length()), t);
            else if (k.startsWith("train.optim.")) optim.put(k.substring("train.optim.".length()), t.data());
            else if (!k.startsWith(Checkpoint.TRAIN_PREFIX)) emaWeights.put(k, t);
        });
        long ni = Long.parseLong(md.get("train.iterations"));
        Tensor pending = c.tensors().get(GRADIENTS);
        State st = new State(done, ni, Long.parseLong(md.getOrDefault("train.last_step", String.valueOf(ni - 1))),
                Long.parseLong(md.get("train.ema_updates")), Double.parseDouble(md.get("train.best_fitness")),
                Float.parseFloat(md.getOrDefault("train.last_lr", "0")), optim, pending == null ? null : pending.data());
        return new Resumed(graph, raw, st, emaWeights);
    }

    /**
     * Runs the loop; a non-finite loss is replayed once from the last good state (the last epoch's checkpoint, or
     * the run's starting weights), exactly as resume would continue. A replay that passes the failed batch means
     * the numbers were wrong once (the faulty-backend symptom: an exact replay computes them right), and the run
     * ends as an uninterrupted run would. The same batch failing again is a real divergence and fails the run.
     */
    private Result runReplayingNaN(YoloModel model, State start, Map<String, Tensor> startEma) {
        Map<String, Tensor> startWeights = model.stateDict();
        List<EpochMetrics> rows = new ArrayList<>();
        State st = start;
        Map<String, Tensor> ema = startEma;
        NonFiniteLoss previous = null;
        int recoveries = 0;
        while (true) {
            try {
                Result r = run(model, st, ema, rows);
                return new Result(r.last(), r.best(), rows, r.finalMetrics(), recoveries);
            } catch (NonFiniteLoss e) {
                if (previous != null && previous.epoch == e.epoch && previous.batch == e.batch) {
                    throw new TrainingFailure(e.getMessage() + "; replayed from the last good state, it failed at the same"
                            + " batch again: a real divergence. Lower lr0 or check the data");
                }
                if (recoveries == MAX_NAN_REPLAYS) {
                    throw new TrainingFailure(e.getMessage() + "; already replayed " + recoveries + " times: giving up."
                            + " Check the backend (./prunesweep doctor) and lower lr0");
                }
                recoveries++;
                previous = e;
                rows.removeIf(row -> row.epoch() >= e.epoch);
                zeroGradients(model); // the failed batch's backward left non-finite values in them
                if (e.epoch > start.startEpoch() && FileSystems.exists(lastUri())) {
                    Resumed r = readResumable(lastUri());
                    model.loadStateDict(r.weights());
                    st = r.state();
                    ema = r.ema();
                } else {
                    model.loadStateDict(startWeights);
                    st = start;
                    ema = startEma;
                }
                listener.onRecovery(e.getMessage(), recoveries, st.startEpoch());
            }
        }
    }

    /** Sets every gradient to 0 by assignment (x - x and 0 * x stay NaN where x is). */
    private static void zeroGradients(YoloModel model) {
        for (Parameter p : model.network().parameters().values()) {
            NDArray w = p.getArray();
            if (!w.hasGradient()) continue;
            NDArray g = w.getGradient();
            g.set(new NDIndex("..."), 0f);
            g.close();
        }
    }

    private Result run(YoloModel model, State st, Map<String, Tensor> emaWeights, List<EpochMetrics> rows) {
        TorchThreads.use(cfg.resolvedThreads());
        ModelGraph graph = model.graph();
        int nc = graph.nc();
        Map<String, Parameter> params = model.network().parameters();
        Map<Parameter, String> names = new IdentityHashMap<>();
        params.forEach((k, v) -> names.put(v, k));
        ParamGroups groups = ParamGroups.of(params);
        int accumulateTarget = Math.max((int) Math.round((double) cfg.nbs() / cfg.batch()), 1);
        float weightDecay = cfg.weightDecay() * cfg.batch() * accumulateTarget / cfg.nbs();
        List<Parameter> gammas = new ArrayList<>();
        List<Parameter> betas = new ArrayList<>();
        params.forEach((k, p) -> {
            if (k.endsWith(".bn.weight") && sparseGamma.test(k)) {
                gammas.add(p);
                betas.add(params.get(k.substring(0, k.length() - "weight".length()) + "bias"));
            }
        });

        DetectionLoader.Options trainOpts = DetectionLoader.Options.train(cfg.imgsz(), cfg.batch())
                .withWorkers(Math.max(1, cfg.workers())).withSeed(cfg.seed()).withCache(cfg.cache())
                .withEpochs(cfg.epochs()).withAugment(cfg.augmentation());
        try (DetectionLoader loader = new DetectionLoader(trainSet, trainOpts);
                ModelEma ema = new ModelEma(model, cfg.emaDecay(), cfg.emaTau());
                FlatParameters flat = new FlatParameters(groups);
                SparsityRegularizer sparsity = new SparsityRegularizer(gammas, betas, cfg.sparsity(),
                        cfg.sparsityBeta(), cfg.epochs());
                WeightMasks masks = weightMasks ? WeightMasks.ofZeros(model) : null) {
            int nb = loader.size();
            long totalIterations = (long) Math.ceil((double) trainSet.size() / Math.max(cfg.batch(), cfg.nbs())) * cfg.epochs();
            TrainConfig.ResolvedOptimizer ro = cfg.resolveOptimizer(totalIterations, nc);
            LrSchedule schedule = LrSchedule.of(cfg, ro.lr0(), ro.momentum(), ro.warmupBiasLr(), nb);
            if (emaWeights != null) ema.load(emaWeights);
            ema.setUpdates(st.emaUpdates());
            if (st.pendingGradients() != null) flat.seedGradients(st.pendingGradients());
            io.prunesweep.train.loss.LossFunction lossFn = io.prunesweep.train.loss.LossFunctions.forModel(model,
                    new LossGains(cfg.box(), cfg.cls(), cfg.dfl()), cfg.imgsz());
            DetectionResult lastResult = null;
            double bestFitness = st.bestFitness();
            try (Optimizer opt = Optimizer.create(ro.name(), flat, names, weightDecay)) {
                if (st.optimizer() != null) opt.loadState(st.optimizer());
                TrainStep step = new TrainStep(model, lossFn, flat, opt, sparsity.active() ? sparsity : null, ema,
                        cfg.maxGradNorm()).withMasks(masks);
                listener.onStart(st.startEpoch(), cfg.epochs(), nb, String.format(Locale.ROOT,
                        "%s | %s | %s lr0=%.6g momentum=%.3g | %d batches/epoch, %d libtorch threads | sparsity lambda=%g"
                                + " on %d BN layers",
                        trainSet.report().summary(), valSet.report().summary(), ro.name(), ro.lr0(), ro.momentum(), nb,
                        cfg.resolvedThreads(), cfg.sparsity(), gammas.size()));
                List<String> problems = new ArrayList<>(trainSet.report().examples());
                problems.addAll(valSet.report().examples());
                if (!problems.isEmpty()) listener.onDataProblems(problems);
                long ni = st.iterations();
                long lastStep = st.lastStep();
                int lateReported = 0;
                float lr = st.lastLr();
                for (int epoch = st.startEpoch(); epoch < cfg.epochs(); epoch++) {
                    long t0 = System.nanoTime();
                    double[] sums = new double[3];
                    int seen = 0;
                    int images = 0;
                    try (DetectionLoader.Epoch batches = loader.epoch(epoch)) {
                        int bi = 0;
                        for (Batch batch : batches) {
                            LossOutput lo = step.backward(batch);
                            if (!Float.isFinite(lo.box() + lo.cls() + lo.dfl())) {
                                throw new NonFiniteLoss(epoch, bi, String.format(Locale.ROOT,
                                        "loss became NaN/inf at epoch %d batch %d (box %s cls %s dfl %s)", epoch + 1,
                                        bi + 1, lo.box(), lo.cls(), lo.dfl()));
                            }
                            if (ni - lastStep >= schedule.accumulate(ni, cfg.nbs(), cfg.batch())) {
                                Optimizer.GroupSettings s = schedule.at(epoch, ni);
                                lr = s.lr()[2];
                                step.step(epoch, s);
                                lastStep = ni;
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
                    List<String> late = loader.lateProblems();
                    if (late.size() > lateReported) {
                        listener.onDataProblems(late.subList(lateReported, late.size()));
                        lateReported = late.size();
                    }
                    listener.onValidation(epoch);
                    YoloModel averaged = ema.model();
                    lastResult = Validator.evaluate(averaged, valSet, cfg.imgsz(), cfg.batch(), Math.max(1, cfg.workers()));
                    double fitness = lastResult.fitness();
                    GammaSummary gs = GammaSummary.of(gammas(averaged, gammas.isEmpty() ? null : sparseGamma));
                    EpochMetrics row = new EpochMetrics(epoch, sums[0] / seen, sums[1] / seen, sums[2] / seen, lr,
                            lastResult.map50(), lastResult.map50to95(), lastResult.precision(), lastResult.recall(),
                            fitness, sparsity.active() ? sparsity.lambdaAt(epoch) : 0, gs,
                            (System.nanoTime() - t0) / 1e9, images / trainSeconds);
                    rows.add(row);
                    appendCsv(row);
                    boolean best = fitness > bestFitness;
                    if (best) bestFitness = fitness;
                    State now = new State(epoch + 1, ni, lastStep, ema.updates(), bestFitness, lr, null,
                            ni - 1 > lastStep ? flat.gradientValues() : null);
                    saveLast(model, averaged, opt, now, row);
                    if (best) {
                        Map<String, String> bmd = new LinkedHashMap<>();
                        bmd.put("train.epoch", String.valueOf(epoch));
                        if (weightMasks) bmd.put(WeightMasks.METADATA_KEY, WeightMasks.ZEROS);
                        Checkpoint.save(averaged, bestUri(), bmd);
                    }
                    listener.onEpoch(row);
                }
                listener.onEnd();
            }
            return new Result(lastUri(), bestUri(), rows, lastResult, 0);
        }
    }

    private static List<Parameter> gammas(YoloModel m, Predicate<String> select) {
        List<Parameter> out = new ArrayList<>();
        m.network().parameters().forEach((k, p) -> {
            if (k.endsWith(".bn.weight") && (select == null || select.test(k))) out.add(p);
        });
        return out;
    }

    private void saveLast(YoloModel model, YoloModel averaged, Optimizer opt, State st, EpochMetrics row) {
        Map<String, Tensor> extra = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> extra.put("train.model." + k, t));
        opt.state().forEach((k, v) -> extra.put("train.optim." + k, Tensor.f32(new long[] {v.length}, v)));
        if (st.pendingGradients() != null) {
            extra.put(GRADIENTS, Tensor.f32(new long[] {st.pendingGradients().length}, st.pendingGradients()));
        }
        Map<String, String> md = new LinkedHashMap<>();
        md.put("train.epoch", String.valueOf(st.startEpoch() - 1));
        md.put("train.epochs", String.valueOf(cfg.epochs()));
        md.put("train.iterations", String.valueOf(st.iterations()));
        md.put("train.last_step", String.valueOf(st.lastStep()));
        md.put("train.ema_updates", String.valueOf(st.emaUpdates()));
        md.put("train.best_fitness", String.valueOf(st.bestFitness()));
        md.put("train.last_lr", String.valueOf(st.lastLr()));
        md.put("train.optimizer", opt.name());
        md.put("train.seed", String.valueOf(cfg.seed()));
        md.put("train.sparsity", String.valueOf(cfg.sparsity()));
        md.put("train.map50_95", String.valueOf(row.map50_95()));
        if (weightMasks) md.put(WeightMasks.METADATA_KEY, WeightMasks.ZEROS);
        Checkpoint.save(averaged, lastUri(), md, extra);
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
}
