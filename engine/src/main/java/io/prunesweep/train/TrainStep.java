package io.prunesweep.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prunesweep.data.Batch;
import io.prunesweep.model.YoloModel;
import io.prunesweep.train.loss.LossFunction;
import io.prunesweep.train.loss.LossOutput;

/**
 * The tensor work of training, shared by {@link Trainer} and the training benchmark: {@link
 * #backward} runs forward, loss and backward of one batch (gradients accumulate in the parameters),
 * {@link #step} turns the accumulated gradients into one update (sparsity subgradient, clipping,
 * optimizer, zeroing, EMA).
 *
 * <p>Each call works in its own {@link NDManager} scope, closed before returning, so native memory
 * does not grow with the number of iterations. Wall time per phase is accumulated in {@link
 * #timings()}.
 */
public final class TrainStep {
    private final YoloModel model;
    private final LossFunction loss;
    private final FlatParameters flat;
    private final Optimizer optimizer;
    private final SparsityRegularizer sparsity;
    private final ModelEma ema;
    private final float maxGradNorm;
    private final Timings timings = new Timings();
    private WeightMasks masks;

    /** Cumulative wall time per phase, in nanoseconds, and the number of batches and steps. */
    public static final class Timings {
        public long forward, loss, backward, step, batches, steps;

        public void reset() {
            forward = loss = backward = step = batches = steps = 0;
        }
    }

    public TrainStep(
            YoloModel model,
            LossFunction loss,
            FlatParameters flat,
            Optimizer optimizer,
            SparsityRegularizer sparsity,
            ModelEma ema,
            float maxGradNorm) {
        this.model = model;
        this.loss = loss;
        this.flat = flat;
        this.optimizer = optimizer;
        this.sparsity = sparsity;
        this.ema = ema;
        this.maxGradNorm = maxGradNorm;
    }

    /** Zeros to keep after every step (unstructured pruning), or null. */
    public TrainStep withMasks(WeightMasks m) {
        this.masks = m;
        return this;
    }

    /**
     * Forward, loss and backward of one batch; the gradients are added to those already
     * accumulated. The batch's pixel buffer is released afterwards, for the loader to reuse. Only
     * the floats of the result are valid.
     */
    public LossOutput backward(Batch batch) {
        long t0 = System.nanoTime();
        LossOutput out;
        long t1;
        long t2;
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray images = batch.images(scope);
            NDArray targets = batch.targets(scope);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList raw =
                        model.network().forwardRaw(new ParameterStore(scope, false), images, true);
                t1 = System.nanoTime();
                out = loss.compute(raw, targets, batch.height(), batch.width());
                t2 = System.nanoTime();
                gc.backward(out.total());
            }
        }
        batch.release();
        long t3 = System.nanoTime();
        timings.forward += t1 - t0;
        timings.loss += t2 - t1;
        timings.backward += t3 - t2;
        timings.batches++;
        return out;
    }

    /**
     * One optimizer step from the accumulated gradients, then the gradients are zeroed and the EMA
     * updated. All of it is in-place tensor work on the flat buffers, with no read back to the
     * host.
     */
    public void step(int epoch, Optimizer.GroupSettings settings) {
        long t0 = System.nanoTime();
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray grads = flat.gradients(scope);
            NDArray weights = flat.weights(scope);
            if (sparsity != null) {
                sparsity.apply(epoch, flat, grads, weights);
            }
            GradClip.clip(grads, maxGradNorm);
            optimizer.step(grads, weights, settings);
        }
        if (masks != null) {
            masks.apply(); // before the EMA sees the weights: masked ones stay exactly 0 there too
        }
        flat.zeroGradients();
        if (ema != null) {
            ema.update();
        }
        timings.step += System.nanoTime() - t0;
        timings.steps++;
    }

    public Timings timings() {
        return timings;
    }
}
