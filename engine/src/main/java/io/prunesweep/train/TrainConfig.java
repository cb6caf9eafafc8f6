package io.prunesweep.train;

import io.prunesweep.InputException;
import io.prunesweep.data.AugmentConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Training hyper-parameters, ultralytics' defaults, so a default run here compares with a default
 * run there.
 *
 * @param optimizer {@code auto} (ultralytics' choice: SGD lr 0.01 past 10,000 iterations, else
 *     AdamW with lr = 0.002*5/(4+nc)), {@code SGD} or {@code AdamW}
 * @param nbs nominal batch size: gradients accumulate to about 64 images per step and weight decay
 *     scales with it
 * @param sparsity Network Slimming lambda on BN gamma (0 = ordinary training)
 * @param sparsityBeta the same on BN beta (0 = off)
 * @param augment training augmentation (its {@code closeMosaic} is replaced by {@link
 *     #closeMosaic})
 * @param threads libtorch intra-op threads; 0 = one per available processor
 */
public record TrainConfig(
        int epochs,
        int batch,
        int imgsz,
        String optimizer,
        float lr0,
        float lrf,
        float momentum,
        float weightDecay,
        float warmupEpochs,
        float warmupMomentum,
        float warmupBiasLr,
        float box,
        float cls,
        float dfl,
        int nbs,
        int closeMosaic,
        float sparsity,
        float sparsityBeta,
        long seed,
        int workers,
        boolean cache,
        double emaDecay,
        double emaTau,
        float maxGradNorm,
        AugmentConfig augment,
        int threads) {

    public static TrainConfig defaults() {
        return new TrainConfig(
                100,
                16,
                640,
                "auto",
                0.01f,
                0.01f,
                0.937f,
                5e-4f,
                3f,
                0.8f,
                0.1f,
                7.5f,
                0.5f,
                1.5f,
                64,
                10,
                0f,
                0f,
                0,
                2,
                false,
                0.9999,
                2000,
                10f,
                AugmentConfig.defaults(),
                0);
    }

    /**
     * The same hyperparameters for another run: epochs, batch, image size, seed, loader workers,
     * RAM cache.
     */
    public TrainConfig withRun(
            int epochs, int batch, int imgsz, long seed, int workers, boolean cache) {
        return with(
                b -> {
                    b.epochs = epochs;
                    b.batch = batch;
                    b.imgsz = imgsz;
                    b.seed = seed;
                    b.workers = workers;
                    b.cache = cache;
                });
    }

    /** Every problem with the values, one line each (empty when valid). */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (epochs < 1) {
            p.add("epochs must be >= 1, got " + epochs);
        }
        if (batch < 1) {
            p.add("batch must be >= 1, got " + batch);
        }
        if (imgsz < 32 || imgsz % 32 != 0) {
            p.add("imgsz must be a multiple of 32 (the largest stride), got " + imgsz);
        }
        if (!List.of("auto", "SGD", "AdamW").contains(optimizer)) {
            p.add("optimizer must be auto, SGD or AdamW, got " + optimizer);
        }
        if (lr0 <= 0) {
            p.add("lr0 must be > 0, got " + lr0);
        }
        if (lrf <= 0 || lrf > 1) {
            p.add("lrf must be in (0, 1], got " + lrf);
        }
        if (warmupEpochs < 0) {
            p.add("warmup epochs must be >= 0, got " + warmupEpochs);
        }
        if (nbs < 1) {
            p.add("nbs (nominal batch size) must be >= 1, got " + nbs);
        }
        if (closeMosaic < 0) {
            p.add("close_mosaic must be >= 0, got " + closeMosaic);
        }
        if (sparsity < 0) {
            p.add("sparsity (lambda) must be >= 0, got " + sparsity);
        }
        if (sparsityBeta < 0) {
            p.add("sparsity on beta must be >= 0, got " + sparsityBeta);
        }
        if (workers < 0) {
            p.add("workers must be >= 0, got " + workers);
        }
        if (threads < 0) {
            p.add("threads must be >= 0 (0 = one per processor), got " + threads);
        }
        if (emaDecay < 0 || emaDecay >= 1) {
            p.add("EMA decay must be in [0, 1), got " + emaDecay);
        }
        if (emaTau <= 0) {
            p.add("EMA tau must be > 0, got " + emaTau);
        }
        if (augment == null) {
            p.add("augmentation settings are missing");
        }
        return p;
    }

    public TrainConfig validated() {
        List<String> p = problems();
        if (!p.isEmpty()) {
            throw new InputException("training settings: " + String.join("; ", p));
        }
        return this;
    }

    /** The augmentation actually used: {@link #augment} with this config's {@code closeMosaic}. */
    public AugmentConfig augmentation() {
        return augment.withCloseMosaic(closeMosaic);
    }

    /** libtorch intra-op threads to use. */
    public int resolvedThreads() {
        return threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public TrainConfig withEpochs(int e) {
        return with(b -> b.epochs = e);
    }

    public TrainConfig withSparsity(float lambda) {
        return with(b -> b.sparsity = lambda);
    }

    public TrainConfig withSparsityBeta(float lambda) {
        return with(b -> b.sparsityBeta = lambda);
    }

    public TrainConfig withBatch(int n) {
        return with(b -> b.batch = n);
    }

    public TrainConfig withImgsz(int s) {
        return with(b -> b.imgsz = s);
    }

    /**
     * Optimizer name ({@code auto}, {@code SGD}, {@code AdamW}) and its lr0 (ignored by {@code
     * auto}).
     */
    public TrainConfig withOptimizer(String name, float lr) {
        return with(
                b -> {
                    b.optimizer = name;
                    b.lr0 = lr;
                });
    }

    public TrainConfig withLrf(float f) {
        return with(b -> b.lrf = f);
    }

    public TrainConfig withWarmupEpochs(float e) {
        return with(b -> b.warmupEpochs = e);
    }

    public TrainConfig withNbs(int n) {
        return with(b -> b.nbs = n);
    }

    public TrainConfig withCloseMosaic(int e) {
        return with(b -> b.closeMosaic = e);
    }

    public TrainConfig withSeed(long s) {
        return with(b -> b.seed = s);
    }

    public TrainConfig withWorkers(int n) {
        return with(b -> b.workers = n);
    }

    public TrainConfig withCache(boolean c) {
        return with(b -> b.cache = c);
    }

    public TrainConfig withEma(double decay, double tau) {
        return with(
                b -> {
                    b.emaDecay = decay;
                    b.emaTau = tau;
                });
    }

    public TrainConfig withAugment(AugmentConfig a) {
        return with(b -> b.augment = a);
    }

    public TrainConfig withThreads(int n) {
        return with(b -> b.threads = n);
    }

    /**
     * A copy with some values changed, e.g. {@code cfg.with(b -> { b.lr0 = 0.02f; b.nbs = 16; })}.
     */
    public TrainConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** Ultralytics' {@code optimizer=auto} decision for this run length and class count. */
    public ResolvedOptimizer resolveOptimizer(long iterations, int nc) {
        if (!optimizer.equals("auto")) {
            return new ResolvedOptimizer(optimizer, lr0, momentum, warmupBiasLr);
        }
        if (iterations > 10_000) {
            return new ResolvedOptimizer("SGD", 0.01f, 0.9f, 0f);
        }
        float lrFit = (float) (Math.round(0.002 * 5 / (4 + nc) * 1e6) / 1e6);
        return new ResolvedOptimizer("AdamW", lrFit, 0.9f, 0f);
    }

    /** The optimizer actually used, with its lr0, momentum and warmup bias lr. */
    public record ResolvedOptimizer(String name, float lr0, float momentum, float warmupBiasLr) {}

    /** Mutable copy of every value, for {@link #with}. */
    public static final class Builder {
        public int epochs, batch, imgsz, nbs, closeMosaic, workers, threads;
        public String optimizer;
        public float lr0,
                lrf,
                momentum,
                weightDecay,
                warmupEpochs,
                warmupMomentum,
                warmupBiasLr,
                box,
                cls,
                dfl,
                sparsity,
                sparsityBeta,
                maxGradNorm;
        public long seed;
        public boolean cache;
        public double emaDecay, emaTau;
        public AugmentConfig augment;

        Builder(TrainConfig c) {
            epochs = c.epochs;
            batch = c.batch;
            imgsz = c.imgsz;
            optimizer = c.optimizer;
            lr0 = c.lr0;
            lrf = c.lrf;
            momentum = c.momentum;
            weightDecay = c.weightDecay;
            warmupEpochs = c.warmupEpochs;
            warmupMomentum = c.warmupMomentum;
            warmupBiasLr = c.warmupBiasLr;
            box = c.box;
            cls = c.cls;
            dfl = c.dfl;
            nbs = c.nbs;
            closeMosaic = c.closeMosaic;
            sparsity = c.sparsity;
            sparsityBeta = c.sparsityBeta;
            seed = c.seed;
            workers = c.workers;
            cache = c.cache;
            emaDecay = c.emaDecay;
            emaTau = c.emaTau;
            maxGradNorm = c.maxGradNorm;
            augment = c.augment;
            threads = c.threads;
        }

        TrainConfig build() {
            return new TrainConfig(
                    epochs,
                    batch,
                    imgsz,
                    optimizer,
                    lr0,
                    lrf,
                    momentum,
                    weightDecay,
                    warmupEpochs,
                    warmupMomentum,
                    warmupBiasLr,
                    box,
                    cls,
                    dfl,
                    nbs,
                    closeMosaic,
                    sparsity,
                    sparsityBeta,
                    seed,
                    workers,
                    cache,
                    emaDecay,
                    emaTau,
                    maxGradNorm,
                    augment,
                    threads);
        }
    }
}
