package io.prunesweep.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimised parameters seen as one flat vector, group after group (biases, BN weights, conv weights), so an
 * optimizer step, the clipping norm, the sparsity penalty and the EMA are a handful of tensor ops on the whole
 * model instead of several ops per parameter. Every JNI call costs a fixed few microseconds, and a per-parameter
 * loop over the ~180 tensors of a small YOLO issued ~2,000 of them per step.
 *
 * <p>Keeps one flat 1-D view per parameter and per gradient. Gradient views are taken after the first backward
 * (libtorch allocates {@code .grad} lazily) and stay valid: backward accumulates into the existing gradient in
 * place and {@link #zeroGradients} zeroes it in place, so the tensor behind a view never changes.
 *
 * <p>Reading ({@link #gradients}, {@link #weights}) concatenates, a copy; {@link #subtract} writes back through
 * the views. Outside a {@code GradientCollector} (grad mode off) these in-place writes are not recorded.
 */
public final class FlatParameters implements AutoCloseable {
    private final NDManager manager;
    private final List<Parameter> params;
    private final long[] splitPoints;
    private final long[] groupStart;
    private final long size;
    private final NDList weightViews;
    private NDList gradViews;

    public FlatParameters(ParamGroups groups) {
        List<List<Parameter>> gs = groups.groups();
        this.params = groups.all();
        if (params.isEmpty()) throw new IllegalArgumentException("no trainable parameters");
        this.manager = params.get(0).getArray().getManager().newSubManager();
        this.groupStart = new long[gs.size() + 1];
        this.splitPoints = new long[Math.max(params.size() - 1, 0)];
        this.weightViews = new NDList(params.size());
        long at = 0;
        int k = 0;
        for (int g = 0; g < gs.size(); g++) {
            groupStart[g] = at;
            for (Parameter p : gs.get(g)) {
                NDArray view = p.getArray().reshape(-1);
                view.attach(manager);
                weightViews.add(view);
                at += view.size();
                if (k < splitPoints.length) splitPoints[k] = at;
                k++;
            }
        }
        groupStart[gs.size()] = at;
        this.size = at;
    }

    /** Number of scalars. */
    public long size() {
        return size;
    }

    /** Parameters in flat order. */
    public List<Parameter> parameters() {
        return params;
    }

    /** First flat index of group {@code g} (0 biases, 1 BN weights, 2 conv weights); {@code g = 3} gives the end. */
    public long groupStart(int g) {
        return groupStart[g];
    }

    /** The part of a flat vector that belongs to group {@code g} (a view: in-place ops write through). */
    public NDArray group(NDArray flat, int g) {
        return flat.get(new NDIndex(groupStart[g] + ":" + groupStart[g + 1]));
    }

    /** Flat index ranges of the parameters, {@code [start, end)} per parameter, in flat order. */
    public long[][] ranges() {
        long[][] r = new long[params.size()][];
        long at = 0;
        for (int i = 0; i < params.size(); i++) {
            long n = params.get(i).getArray().size();
            r[i] = new long[] {at, at + n};
            at += n;
        }
        return r;
    }

    /** A copy of all weights as one vector, in {@code scope}. */
    public NDArray weights(NDManager scope) {
        return concat(weightViews, scope);
    }

    /** A copy of all gradients as one vector, in {@code scope} (zeros before the first backward). */
    public NDArray gradients(NDManager scope) {
        if (gradViews == null) {
            if (!params.get(0).getArray().hasGradient()) {
                throw new IllegalStateException("parameters do not require gradients");
            }
            NDList views = new NDList(params.size());
            for (Parameter p : params) {
                NDArray g = p.getArray().getGradient();
                NDArray v = g.reshape(-1);
                v.attach(manager);
                g.close();
                views.add(v);
            }
            gradViews = views;
        }
        return concat(gradViews, scope);
    }

    /** All gradients as one host array (for a checkpoint taken between optimizer steps). */
    public float[] gradientValues() {
        try (NDManager scope = manager.newSubManager()) {
            return gradients(scope).toFloatArray();
        }
    }

    /** {@code w -= update} for every parameter; {@code update} is a flat vector of {@link #size()}. */
    public void subtract(NDArray update) {
        forEachPart(update, (w, part) -> w.subi(part));
    }

    /** Overwrites every weight from a flat vector (checkpoint restore, tests). */
    public void set(NDArray flat) {
        forEachPart(flat, (w, part) -> w.set(new NDIndex(":"), part));
    }

    private void forEachPart(NDArray flat, java.util.function.BiConsumer<NDArray, NDArray> op) {
        if (weightViews.size() == 1) {
            op.accept(weightViews.get(0), flat);
            return;
        }
        try (NDManager scope = flat.getManager().newSubManager()) {
            NDList parts = flat.split(splitPoints);
            parts.attach(scope);
            for (int i = 0; i < parts.size(); i++) op.accept(weightViews.get(i), parts.get(i));
        }
    }

    /**
     * Sets the (zero or not yet allocated) gradients to {@code values}, a flat vector: restores gradients that
     * were accumulated, but not yet applied, when a checkpoint was written. Done by a backward of
     * {@code sum(w * values)}, whose gradient is exactly {@code values}; later batches then accumulate onto them
     * in the same order as in an uninterrupted run.
     */
    public void seedGradients(float[] values) {
        if (values.length != size) {
            throw new IllegalArgumentException("gradient vector has " + values.length + " values, the parameters " + size);
        }
        try (NDManager scope = manager.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray all = scope.create(values);
            NDList parts = params.size() == 1 ? new NDList(all) : all.split(splitPoints);
            parts.attach(scope);
            NDArray total = null;
            for (int i = 0; i < params.size(); i++) {
                NDArray w = params.get(i).getArray();
                NDArray term = parts.get(i).reshape(w.getShape()).mul(w).sum();
                total = total == null ? term : total.add(term);
            }
            gc.backward(total);
        }
    }

    /** Zeroes every gradient in place (after a step; backward then accumulates from zero). */
    public void zeroGradients() {
        if (gradViews == null) return;
        for (NDArray g : gradViews) g.subi(g);
    }

    private static NDArray concat(NDList views, NDManager scope) {
        NDArray out = views.size() == 1 ? views.get(0).duplicate() : NDArrays.concat(views);
        out.attach(scope);
        return out;
    }

    /** Splits a flat vector into per-parameter host arrays (checkpoint export). */
    public List<float[]> toHost(NDArray flat) {
        float[] all = flat.toFloatArray();
        List<float[]> out = new ArrayList<>(params.size());
        for (long[] r : ranges()) {
            float[] v = new float[(int) (r[1] - r[0])];
            System.arraycopy(all, (int) r[0], v, 0, v.length);
            out.add(v);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
