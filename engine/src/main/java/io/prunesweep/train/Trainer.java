package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * The training loop shared by every stage (dense, sparse, finetune), following ultralytics'
 * trainer: gradient accumulation to a nominal batch of 64, warmup, linear lr decay, clipping at
 * norm 10, EMA, validation of the EMA each epoch, {@code last}/{@code best} checkpoints. With
 * {@code sparsity > 0} the Network Slimming subgradient is added to the BN gammas before each step.
 *
 * <p>DJL allows one {@code GradientCollector} per JVM at a time, so one trainer runs per JVM;
 * sweeps run points in separate JVMs. Every batch lives in its own {@code NDManager} scope so
 * native memory stays flat.
 *
 * <p><b>Resume.</b> {@code last.safetensors} holds everything the loop's future depends on, so 1
 * epoch + resume + 1 epoch gives the same weights and metric rows as 2 epochs straight: the raw
 * weights and BatchNorm statistics, the EMA weights and its update count, the optimizer buffers and
 * step count, the iteration counter and the iteration of the last optimizer step (they place the
 * lr/momentum warmup, the accumulation ramp and the next step), gradients accumulated since that
 * step, the best fitness and the last lr. The loader has no state to save: its shuffle and
 * augmentation draw from streams seeded by (seed, epoch, image). Same config, same seed and the
 * same number of libtorch threads are assumed (parallel reductions are deterministic for a fixed
 * count).
 */
public final class Trainer {
    private final TrainConfig cfg;
    private final YoloDataset trainSet;
    private final YoloDataset valSet;
    private final String outDir;
    private final TrainListener listener;
    private Predicate<String> sparseGamma = name -> name.endsWith(".bn.weight");
    private boolean weightMasks;

    /**
     * @param nanRecoveries times a non-finite loss was replayed from the last good state and did
     *     not recur
     */
    public record Result(
            String last,
            String best,
            List<EpochMetrics> epochs,
            DetectionResult finalMetrics,
            int nanRecoveries) {}

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

    public Trainer(
            TrainConfig cfg,
            YoloDataset trainSet,
            YoloDataset valSet,
            String outDir,
            TrainListener listener) {
        this.cfg = cfg.validated();
        this.trainSet = trainSet;
        this.valSet = valSet;
        this.outDir = outDir.endsWith("/") ? outDir.substring(0, outDir.length() - 1) : outDir;
        this.listener = listener;
    }

    /**
     * Which BN gammas the sparsity penalty applies to (by state-dict name); default every BN gamma.
     */
    public Trainer withSparseGammas(Predicate<String> select) {
        this.sparseGamma = select;
        return this;
    }

    /**
     * Keeps the conv weights that are 0 when training starts at 0 (unstructured pruning's masks). A
     * resumed run reads this from its {@code last} checkpoint.
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

    /**
     * Trains {@code model} (fresh, imported or pruned weights) from epoch 0. The model is updated
     * in place.
     */
    public Result fit(YoloModel model) {
        return runReplayingNaN(model, TrainState.fresh(), null);
    }

    /**
     * Continues the run saved in {@code last.safetensors} up to this trainer's {@code epochs}; the
     * rows returned are those of the epochs trained now. Weights go to {@code Result.last}.
     */
    public Result resume(String lastUri) {
        Resumed r = readResumable(lastUri);
        try (YoloModel model = YoloModel.create(r.graph(), cfg.seed(), Devices.current())) {
            model.loadStateDict(r.saved().rawWeights());
            return runReplayingNaN(model, r.saved().state(), r.saved().emaWeights());
        }
    }

    /** What {@code last.safetensors} holds: the graph and the saved run. */
    private record Resumed(ModelGraph graph, TrainState.Saved saved) {}

    private Resumed readResumable(String lastUri) {
        SafeTensors.Content c = Checkpoint.read(lastUri);
        ModelGraph graph = Checkpoint.storedGraph(c, lastUri);
        if (graph == null) {
            throw new InputException(lastUri + ": not a resumable PruneSweep training checkpoint");
        }
        if (WeightMasks.ZEROS.equals(c.metadata().get(WeightMasks.METADATA_KEY))) {
            weightMasks = true;
        }
        TrainState.Saved saved = TrainState.read(c, lastUri);
        int done = saved.state().startEpoch();
        if (done >= cfg.epochs()) {
            throw new InputException(
                    lastUri
                            + ": the run already finished its "
                            + done
                            + " epochs; pass more --epochs to"
                            + " continue it, or start a new run");
        }
        return new Resumed(graph, saved);
    }

    /**
     * Runs the loop; a non-finite loss is replayed once from the last good state (the last epoch's
     * checkpoint, or the run's starting weights), exactly as resume would continue. A replay that
     * passes the failed batch means the numbers were wrong once (the faulty-backend symptom: an
     * exact replay computes them right), and the run ends as an uninterrupted run would. The same
     * batch failing again is a real divergence and fails the run.
     */
    private Result runReplayingNaN(
            YoloModel model, TrainState start, Map<String, Tensor> startEma) {
        Map<String, Tensor> startWeights = model.stateDict();
        List<EpochMetrics> rows = new ArrayList<>();
        TrainState st = start;
        Map<String, Tensor> ema = startEma;
        NonFiniteLoss previous = null;
        int recoveries = 0;
        while (true) {
            try {
                Result r = run(model, st, ema, rows);
                return new Result(r.last(), r.best(), rows, r.finalMetrics(), recoveries);
            } catch (NonFiniteLoss e) {
                if (previous != null && previous.epoch == e.epoch && previous.batch == e.batch) {
                    throw new TrainingFailure(
                            e.getMessage()
                                    + "; replayed from the last good state, it failed at the same"
                                    + " batch again: a real divergence. Lower lr0 or check the data");
                }
                if (recoveries == MAX_NAN_REPLAYS) {
                    throw new TrainingFailure(
                            e.getMessage()
                                    + "; already replayed "
                                    + recoveries
                                    + " times: giving up."
                                    + " Check the backend (./prunesweep doctor) and lower lr0");
                }
                recoveries++;
                previous = e;
                rows.removeIf(row -> row.epoch() >= e.epoch);
                zeroGradients(model); // the failed batch's backward left non-finite values in them
                if (e.epoch > start.startEpoch() && FileSystems.exists(lastUri())) {
                    TrainState.Saved saved = readResumable(lastUri()).saved();
                    model.loadStateDict(saved.rawWeights());
                    st = saved.state();
                    ema = saved.emaWeights();
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
            if (!w.hasGradient()) {
                continue;
            }
            NDArray g = w.getGradient();
            try (NDArray zero =
                    g.getManager().zeros(new Shape(), DataType.FLOAT32, g.getDevice())) {
                g.set(
                        new NDIndex("..."),
                        zero); // set(index, Number) would leave a scalar behind per call
            }
            g.close();
        }
    }

    /**
     * One pass of the loop from {@code st}: epochs of training, each followed by validation and
     * checkpoints.
     */
    private Result run(
            YoloModel model,
            TrainState st,
            Map<String, Tensor> emaWeights,
            List<EpochMetrics> rows) {
        TorchThreads.use(cfg.resolvedThreads());
        try (Loop loop = new Loop(model, st, emaWeights)) {
            loop.announce();
            DetectionResult last = null;
            for (int epoch = st.startEpoch(); epoch < cfg.epochs(); epoch++) {
                long t0 = System.nanoTime();
                EpochLosses losses = loop.trainEpoch(epoch);
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                loop.reportLateDataProblems();
                listener.onValidation(epoch);
                last =
                        Validator.evaluate(
                                loop.ema.model(),
                                valSet,
                                cfg.imgsz(),
                                cfg.batch(),
                                Math.max(1, cfg.workers()));
                EpochMetrics row =
                        loop.metrics(
                                epoch, losses, last, (System.nanoTime() - t0) / 1e9, trainSeconds);
                rows.add(row);
                appendCsv(row);
                loop.checkpoint(epoch, row);
                listener.onEpoch(row);
            }
            listener.onEnd();
            return new Result(lastUri(), bestUri(), rows, last, 0);
        }
    }

    /** Mean losses of an epoch's batches, and the images seen. */
    private record EpochLosses(double box, double cls, double dfl, int images) {}

    /**
     * Everything one pass of the loop holds: the model's flat buffers, EMA, optimizer, loader,
     * schedule and the counters that a checkpoint saves. Opened per pass (a NaN replay opens a new
     * one from the restored state).
     */
    private final class Loop implements AutoCloseable {
        final YoloModel model;
        final FlatParameters flat;
        final ModelEma ema;
        final SparsityRegularizer sparsity;
        final List<Parameter> gammas = new ArrayList<>();
        final DetectionLoader loader;
        final LrSchedule schedule;
        final TrainConfig.ResolvedOptimizer resolved;
        final Optimizer optimizer;
        final TrainStep step;
        final WeightMasks masks;
        private final List<AutoCloseable> closeables;
        final int startEpoch;
        long iterations;
        long lastStep;
        float lr;
        double bestFitness;
        int lateReported;

        Loop(YoloModel model, TrainState st, Map<String, Tensor> emaWeights) {
            this.model = model;
            Map<String, Parameter> params = model.network().parameters();
            Map<Parameter, String> names = new IdentityHashMap<>();
            params.forEach((k, v) -> names.put(v, k));
            int accumulateTarget = Math.max((int) Math.round((double) cfg.nbs() / cfg.batch()), 1);
            float weightDecay = cfg.weightDecay() * cfg.batch() * accumulateTarget / cfg.nbs();
            List<Parameter> betas = new ArrayList<>();
            params.forEach(
                    (k, p) -> {
                        if (k.endsWith(".bn.weight") && sparseGamma.test(k)) {
                            gammas.add(p);
                            betas.add(
                                    params.get(
                                            k.substring(0, k.length() - "weight".length())
                                                    + "bias"));
                        }
                    });
            DetectionLoader.Options trainOpts =
                    DetectionLoader.Options.train(cfg.imgsz(), cfg.batch())
                            .withWorkers(Math.max(1, cfg.workers()))
                            .withSeed(cfg.seed())
                            .withCache(cfg.cache())
                            .withEpochs(cfg.epochs())
                            .withAugment(cfg.augmentation());
            List<AutoCloseable> opened = new ArrayList<>();
            try {
                this.loader = open(opened, new DetectionLoader(trainSet, trainOpts));
                this.flat = open(opened, FlatParameters.of(params));
                // after the flat buffers: the masks multiply into the parameters' arrays as they
                // are from now on
                this.masks = weightMasks ? open(opened, WeightMasks.ofZeros(model)) : null;
                this.ema = open(opened, new ModelEma(model, flat, cfg.emaDecay(), cfg.emaTau()));
                this.sparsity =
                        open(
                                opened,
                                new SparsityRegularizer(
                                        gammas,
                                        betas,
                                        cfg.sparsity(),
                                        cfg.sparsityBeta(),
                                        cfg.epochs()));
                long totalIterations =
                        (long)
                                        Math.ceil(
                                                (double) trainSet.size()
                                                        / Math.max(cfg.batch(), cfg.nbs()))
                                * cfg.epochs();
                this.resolved = cfg.resolveOptimizer(totalIterations, model.graph().nc());
                this.schedule =
                        LrSchedule.of(
                                cfg,
                                resolved.lr0(),
                                resolved.momentum(),
                                resolved.warmupBiasLr(),
                                loader.size());
                if (emaWeights != null) {
                    ema.load(emaWeights);
                }
                ema.setUpdates(st.emaUpdates());
                if (st.pendingGradients() != null) {
                    flat.seedGradients(st.pendingGradients());
                }
                this.optimizer =
                        open(opened, Optimizer.create(resolved.name(), flat, names, weightDecay));
                if (st.optimizer() != null) {
                    optimizer.loadState(st.optimizer());
                }
            } catch (RuntimeException e) {
                closeAll(opened, e);
                throw e;
            }
            this.step =
                    new TrainStep(
                                    model,
                                    io.prunesweep.train.loss.LossFunctions.forModel(
                                            model,
                                            new LossGains(cfg.box(), cfg.cls(), cfg.dfl()),
                                            cfg.imgsz()),
                                    flat,
                                    optimizer,
                                    sparsity.active() ? sparsity : null,
                                    ema,
                                    cfg.maxGradNorm())
                            .withMasks(masks);
            this.closeables = opened;
            this.startEpoch = st.startEpoch();
            this.iterations = st.iterations();
            this.lastStep = st.lastStep();
            this.lr = st.lastLr();
            this.bestFitness = st.bestFitness();
        }

        void announce() {
            listener.onStart(
                    startEpoch,
                    cfg.epochs(),
                    loader.size(),
                    String.format(
                            Locale.ROOT,
                            "%s | %s | %s lr0=%.6g momentum=%.3g | %d batches/epoch, %d libtorch threads | sparsity lambda=%g"
                                    + " on %d BN layers",
                            trainSet.report().summary(),
                            valSet.report().summary(),
                            resolved.name(),
                            resolved.lr0(),
                            resolved.momentum(),
                            loader.size(),
                            cfg.resolvedThreads(),
                            cfg.sparsity(),
                            gammas.size()));
            List<String> problems = new ArrayList<>(trainSet.report().examples());
            problems.addAll(valSet.report().examples());
            if (!problems.isEmpty()) {
                listener.onDataProblems(problems);
            }
        }

        /**
         * Forward, loss and backward of every batch; an optimizer step whenever the nominal batch
         * is reached.
         */
        EpochLosses trainEpoch(int epoch) {
            long t0 = System.nanoTime();
            double[] sums = new double[3];
            int seen = 0;
            int images = 0;
            int nb = loader.size();
            try (DetectionLoader.Epoch batches = loader.epoch(epoch)) {
                int bi = 0;
                for (Batch batch : batches) {
                    LossOutput lo = step.backward(batch);
                    if (!Float.isFinite(lo.box() + lo.cls() + lo.dfl())) {
                        throw new NonFiniteLoss(
                                epoch,
                                bi,
                                String.format(
                                        Locale.ROOT,
                                        "loss became NaN/inf at epoch %d batch %d (box %s cls %s dfl %s)",
                                        epoch + 1,
                                        bi + 1,
                                        lo.box(),
                                        lo.cls(),
                                        lo.dfl()));
                    }
                    if (iterations - lastStep
                            >= schedule.accumulate(iterations, cfg.nbs(), cfg.batch())) {
                        Optimizer.GroupSettings s = schedule.at(epoch, iterations);
                        lr = s.lr()[2];
                        step.step(epoch, s);
                        lastStep = iterations;
                    }
                    sums[0] += lo.box();
                    sums[1] += lo.cls();
                    sums[2] += lo.dfl();
                    seen++;
                    images += batch.size();
                    double ips = images / ((System.nanoTime() - t0) / 1e9);
                    listener.onBatch(
                            epoch, bi, nb, sums[0] / seen, sums[1] / seen, sums[2] / seen, ips);
                    iterations++;
                    bi++;
                }
            }
            return new EpochLosses(sums[0] / seen, sums[1] / seen, sums[2] / seen, images);
        }

        void reportLateDataProblems() {
            List<String> late = loader.lateProblems();
            if (late.size() > lateReported) {
                listener.onDataProblems(late.subList(lateReported, late.size()));
                lateReported = late.size();
            }
        }

        EpochMetrics metrics(
                int epoch, EpochLosses l, DetectionResult r, double seconds, double trainSeconds) {
            GammaSummary gs =
                    GammaSummary.of(
                            Trainer.gammas(ema.model(), gammas.isEmpty() ? null : sparseGamma));
            return new EpochMetrics(
                    epoch,
                    l.box(),
                    l.cls(),
                    l.dfl(),
                    lr,
                    r.map50(),
                    r.map50to95(),
                    r.precision(),
                    r.recall(),
                    r.fitness(),
                    sparsity.active() ? sparsity.lambdaAt(epoch) : 0,
                    gs,
                    seconds,
                    l.images() / trainSeconds);
        }

        /**
         * {@code last} after every epoch (everything resume needs); {@code best} when the fitness
         * improved.
         */
        void checkpoint(int epoch, EpochMetrics row) {
            boolean best = row.fitness() > bestFitness;
            if (best) {
                bestFitness = row.fitness();
            }
            TrainState now =
                    new TrainState(
                            epoch + 1,
                            iterations,
                            lastStep,
                            ema.updates(),
                            bestFitness,
                            lr,
                            null,
                            iterations - 1 > lastStep ? flat.gradientValues() : null);
            YoloModel averaged = ema.model();
            Map<String, String> lastMd = now.metadata(cfg, optimizer.name(), row.map50_95());
            Map<String, String> bestMd = new LinkedHashMap<>();
            bestMd.put(TrainState.EPOCH, String.valueOf(epoch));
            if (weightMasks) {
                lastMd.put(WeightMasks.METADATA_KEY, WeightMasks.ZEROS);
                bestMd.put(WeightMasks.METADATA_KEY, WeightMasks.ZEROS);
            }
            Checkpoint.save(
                    averaged, lastUri(), lastMd, now.tensors(model.stateDict(), optimizer.state()));
            if (best) {
                Checkpoint.save(averaged, bestUri(), bestMd);
            }
        }

        @Override
        public void close() {
            closeAll(closeables, null);
        }
    }

    private static <T extends AutoCloseable> T open(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    /**
     * Closes in reverse order of opening; the first failure is thrown, or added to {@code primary}.
     */
    private static void closeAll(List<AutoCloseable> opened, RuntimeException primary) {
        RuntimeException failure = primary;
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null && primary == null) {
            throw failure;
        }
    }

    private static List<Parameter> gammas(YoloModel m, Predicate<String> select) {
        List<Parameter> out = new ArrayList<>();
        m.network()
                .parameters()
                .forEach(
                        (k, p) -> {
                            if (k.endsWith(".bn.weight") && (select == null || select.test(k))) {
                                out.add(p);
                            }
                        });
        return out;
    }

    /**
     * Appends the epoch's row to {@code results.csv}; a resumed run rewrites the rows from its
     * first epoch on. The earlier rows are the run's history: if they cannot be read, the run stops
     * rather than overwrite them.
     */
    private void appendCsv(EpochMetrics row) {
        String uri = outDir + "/results.csv";
        String previous = "";
        if (row.epoch() > 0 && FileSystems.exists(uri)) {
            try (var in = FileSystems.open(uri)) {
                previous = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new TrainingFailure(
                        "cannot read the training history "
                                + uri
                                + " to append epoch "
                                + (row.epoch() + 1)
                                + " ("
                                + e.getMessage()
                                + "); the checkpoints are intact: fix the storage and resume");
            }
            StringBuilder kept = new StringBuilder();
            for (String line : previous.split("\n")) {
                if (line.isEmpty() || line.startsWith("epoch")) {
                    continue;
                }
                if (Integer.parseInt(line.substring(0, line.indexOf(','))) < row.epoch()) {
                    kept.append(line).append('\n');
                }
            }
            previous = kept.toString();
        }
        String text = EpochMetrics.csvHeader() + "\n" + previous + row.csvRow() + "\n";
        FileSystems.writeAtomically(uri, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
