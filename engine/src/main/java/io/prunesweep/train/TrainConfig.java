package io.prunesweep.train;

import io.prunesweep.InputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Training hyper-parameters, ultralytics' defaults, so a default run here compares with a default run there.
 *
 * @param optimizer {@code auto} (ultralytics' choice: SGD lr 0.01 past 10,000 iterations, else AdamW with
 *     lr = 0.002*5/(4+nc)), {@code SGD} or {@code AdamW}
 * @param nbs nominal batch size: gradients accumulate to about 64 images per step and weight decay scales with it
 * @param sparsity Network Slimming lambda on BN gamma (0 = ordinary training)
 * @param sparsityBeta the same on BN beta (0 = off)
 */
public record TrainConfig(
        int epochs, int batch, int imgsz, String optimizer, float lr0, float lrf, float momentum,
        float weightDecay, float warmupEpochs, float warmupMomentum, float warmupBiasLr,
        float box, float cls, float dfl, int nbs, int closeMosaic, float sparsity, float sparsityBeta,
        long seed, int workers, boolean cache, double emaDecay, double emaTau, float maxGradNorm) {

    public static TrainConfig defaults() {
        return new TrainConfig(100, 16, 640, "auto", 0.01f, 0.01f, 0.937f, 5e-4f, 3f, 0.8f, 0.1f,
                7.5f, 0.5f, 1.5f, 64, 10, 0f, 0f, 0, 2, false, 0.9999, 2000, 10f);
    }

    /** The same hyperparameters for another run: epochs, batch, image size, seed, loader workers, RAM cache. */
    public TrainConfig withRun(int epochs, int batch, int imgsz, long seed, int workers, boolean cache) {
        return new TrainConfig(epochs, batch, imgsz, optimizer, lr0, lrf, momentum, weightDecay, warmupEpochs, warmupMomentum,
                warmupBiasLr, box, cls, dfl, nbs, closeMosaic, sparsity, sparsityBeta, seed, workers, cache, emaDecay, emaTau, maxGradNorm);
    }

    /** Every problem with the values, one line each (empty when valid). */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (epochs < 1) p.add("epochs must be >= 1, got " + epochs);
        if (batch < 1) p.add("batch must be >= 1, got " + batch);
        if (imgsz < 32 || imgsz % 32 != 0) p.add("imgsz must be a multiple of 32 (the largest stride), got " + imgsz);
        if (!List.of("auto", "SGD", "AdamW").contains(optimizer)) p.add("optimizer must be auto, SGD or AdamW, got " + optimizer);
        if (lr0 <= 0) p.add("lr0 must be > 0, got " + lr0);
        if (lrf <= 0 || lrf > 1) p.add("lrf must be in (0, 1], got " + lrf);
        if (sparsity < 0) p.add("sparsity (lambda) must be >= 0, got " + sparsity);
        if (sparsityBeta < 0) p.add("sparsity on beta must be >= 0, got " + sparsityBeta);
        if (workers < 0) p.add("workers must be >= 0, got " + workers);
        return p;
    }

    public TrainConfig validated() {
        List<String> p = problems();
        if (!p.isEmpty()) throw new InputException("training settings: " + String.join("; ", p));
        return this;
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batch, imgsz, optimizer, lr0, lrf, momentum, weightDecay, warmupEpochs, warmupMomentum,
                warmupBiasLr, box, cls, dfl, nbs, closeMosaic, sparsity, sparsityBeta, seed, workers, cache, emaDecay, emaTau, maxGradNorm);
    }

    public TrainConfig withSparsity(float lambda) {
        return new TrainConfig(epochs, batch, imgsz, optimizer, lr0, lrf, momentum, weightDecay, warmupEpochs, warmupMomentum,
                warmupBiasLr, box, cls, dfl, nbs, closeMosaic, lambda, sparsityBeta, seed, workers, cache, emaDecay, emaTau, maxGradNorm);
    }

    /** Ultralytics' {@code optimizer=auto} decision for this run length and class count. */
    public ResolvedOptimizer resolveOptimizer(long iterations, int nc) {
        if (!optimizer.equals("auto")) return new ResolvedOptimizer(optimizer, lr0, momentum, warmupBiasLr);
        if (iterations > 10_000) return new ResolvedOptimizer("SGD", 0.01f, 0.9f, 0f);
        float lrFit = (float) (Math.round(0.002 * 5 / (4 + nc) * 1e6) / 1e6);
        return new ResolvedOptimizer("AdamW", lrFit, 0.9f, 0f);
    }

    /** The optimizer actually used, with its lr0, momentum and warmup bias lr. */
    public record ResolvedOptimizer(String name, float lr0, float momentum, float warmupBiasLr) {}
}
