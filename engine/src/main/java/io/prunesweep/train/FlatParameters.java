package io.prunesweep.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.prunesweep.backend.NativeTensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The model's floating tensors living in one contiguous buffer, and their gradients in another (the
 * flat-buffer technique of apex and DeepSpeed). Every parameter is re-pointed at its slice of the
 * buffer ({@link NativeTensors#share}), so the layers compute with the buffer's memory, backward
 * accumulates into the gradient buffer, and an optimizer step, the clipping norm, the sparsity
 * penalty and the EMA are a handful of in-place ops on the whole model: no concatenation, no split,
 * no per-parameter loop. (A per-parameter loop over the ~180 tensors of a small YOLO issued ~2,000
 * JNI calls per step; the previous concat/split form copied the model several times per step.)
 *
 * <p>Layout: the optimised parameters group after group (biases, BN weights, conv weights: the
 * order the lr schedule indexes), then the floating tensors that are not optimised (BatchNorm
 * running statistics, frozen weights), which the EMA averages too. Each tensor starts at a multiple
 * of {@value #ALIGN} elements (64 bytes, libtorch's own allocation alignment, so vectorised kernels
 * see the same alignment as before); the gaps are zero in both buffers and stay zero under every
 * update rule used here.
 *
 * <p>The gradient buffer exists from construction: a backward of {@code 0 * sum(w)} makes libtorch
 * allocate every gradient, whose values are then copied into the buffer before the gradient is
 * re-pointed. Backward adds into an existing gradient in place, and nothing here replaces one, so
 * the binding holds for the object's life. The weights must not be replaced behind its back either:
 * {@code NDArray.set(float[])} re-points a tensor at new memory, so load weights before building
 * this (the trainer does) and write through {@link #set} afterwards.
 *
 * <p>The views handed out ({@link #weights(NDManager)}, {@link #gradients(NDManager)}) are live and
 * belong to the caller's scope, so the temporaries of ops on them land in that scope and are freed
 * with it.
 */
public final class FlatParameters implements AutoCloseable {
    /** Start alignment of every tensor, in elements (64 bytes of float32). */
    static final int ALIGN = 16;

    private final NDManager manager;
    private final List<Parameter> params;
    private final List<Parameter> others;
    private final List<String> names;
    private final long[][] ranges;
    private final long[] groupStart;
    private final long trainableSize;
    private final long packedSize;
    private final NDArray storage;
    private final NDArray gradStorage;

    /**
     * A 0-dim 0, assigned to every gradient by {@link #zeroGradients} (assignment, so NaN gradients
     * become 0 too).
     */
    private final NDArray zero;

    /** The optimised parameters of {@code groups} only (no names, no non-optimised tensors). */
    public FlatParameters(ParamGroups groups) {
        this(groups, List.of(), null);
    }

    /**
     * Every floating tensor of a network: the optimised ones by ultralytics' groups, then the rest
     * (BN running statistics, frozen weights), with their state-dict names (the EMA pairs tensors
     * by name).
     */
    public static FlatParameters of(Map<String, Parameter> byName) {
        ParamGroups groups = ParamGroups.of(byName);
        Map<Parameter, String> nameOf = new java.util.IdentityHashMap<>();
        byName.forEach((k, p) -> nameOf.put(p, k));
        List<Parameter> trainable = groups.all();
        java.util.Set<Parameter> optimised =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        optimised.addAll(trainable);
        List<Parameter> rest = new ArrayList<>();
        byName.values()
                .forEach(
                        p -> {
                            if (!optimised.contains(p) && p.getArray().getDataType().isFloating()) {
                                rest.add(p);
                            }
                        });
        List<String> names = new ArrayList<>();
        trainable.forEach(p -> names.add(nameOf.get(p)));
        rest.forEach(p -> names.add(nameOf.get(p)));
        return new FlatParameters(groups, rest, names);
    }

    private FlatParameters(ParamGroups groups, List<Parameter> others, List<String> names) {
        List<List<Parameter>> gs = groups.groups();
        this.params = groups.all();
        this.others = List.copyOf(others);
        this.names = names == null ? null : List.copyOf(names);
        if (params.isEmpty()) {
            throw new IllegalArgumentException("no trainable parameters");
        }
        NDArray first = params.get(0).getArray();
        this.manager = first.getManager().newSubManager();
        List<Parameter> all = new ArrayList<>(params);
        all.addAll(this.others);
        this.ranges = new long[all.size()][];
        this.groupStart = new long[gs.size() + 1];
        long at = 0;
        long packed = 0;
        int k = 0;
        for (int g = 0; g <= gs.size(); g++) {
            groupStart[g] = at;
            List<Parameter> members = g < gs.size() ? gs.get(g) : List.of();
            for (Parameter p : members) {
                long n = p.getArray().size();
                ranges[k++] = new long[] {at, at + n};
                at = align(at + n);
                packed += n;
            }
        }
        this.trainableSize = at;
        this.packedSize = packed;
        for (Parameter p : this.others) {
            long n = p.getArray().size();
            ranges[k++] = new long[] {at, at + n};
            at = align(at + n);
        }
        for (Parameter p : all) {
            if (p.getArray().getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException(
                        "flat buffers hold float32 tensors, "
                                + p.getName()
                                + " is "
                                + p.getArray().getDataType());
            }
        }
        this.storage = manager.zeros(new Shape(at), DataType.FLOAT32, first.getDevice());
        for (int i = 0; i < all.size(); i++) {
            bind(all.get(i).getArray(), storage, ranges[i]);
        }
        this.gradStorage =
                manager.zeros(new Shape(trainableSize), DataType.FLOAT32, first.getDevice());
        this.zero = manager.zeros(new Shape(), DataType.FLOAT32, first.getDevice());
        allocateGradients();
        for (int i = 0; i < params.size(); i++) {
            NDArray g = params.get(i).getArray().getGradient();
            bind(g, gradStorage, ranges[i]);
            g.close();
        }
    }

    private static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Copies {@code tensor}'s values into its slice of {@code buffer}, then re-points it there. */
    private static void bind(NDArray tensor, NDArray buffer, long[] range) {
        try (NDArray slice = buffer.get(new NDIndex(range[0] + ":" + range[1]));
                NDArray view = slice.reshape(tensor.getShape())) {
            view.set(new NDIndex("..."), tensor);
            NativeTensors.share(tensor, view);
        }
    }

    /** Makes libtorch allocate every parameter's gradient (adds 0 to those that exist). */
    private void allocateGradients() {
        if (!params.get(0).getArray().hasGradient()) {
            throw new IllegalStateException("parameters do not require gradients");
        }
        try (NDManager scope = manager.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray total = null;
            for (Parameter p : params) {
                NDArray term = p.getArray().sum();
                term.attach(scope);
                total = total == null ? term : total.add(term);
            }
            gc.backward(total.mul(0f));
        }
    }

    /**
     * Length of the optimised part of the buffer (with alignment gaps): the size of optimizer state
     * vectors.
     */
    public long size() {
        return trainableSize;
    }

    /** Number of optimised scalars (no gaps): the length of {@link #gradientValues}. */
    public long packedSize() {
        return packedSize;
    }

    /** Optimised parameters in flat order. */
    public List<Parameter> parameters() {
        return params;
    }

    /**
     * State-dict names of every tensor in flat order (optimised, then the rest), or null if built
     * from groups.
     */
    public List<String> names() {
        return names;
    }

    /**
     * First flat index of group {@code g} (0 biases, 1 BN weights, 2 conv weights); {@code g = 3}
     * gives the end.
     */
    public long groupStart(int g) {
        return groupStart[g];
    }

    /**
     * The part of a flat vector that belongs to group {@code g} (a view: in-place ops write
     * through).
     */
    public NDArray group(NDArray flat, int g) {
        return flat.get(new NDIndex(groupStart[g] + ":" + groupStart[g + 1]));
    }

    /** Flat index ranges {@code [start, end)} of the optimised parameters, in flat order. */
    public long[][] ranges() {
        return java.util.Arrays.copyOf(ranges, params.size());
    }

    /** Ranges of every tensor (optimised, then the rest) in {@link #allWeights}. */
    long[][] allRanges() {
        return ranges.clone();
    }

    /**
     * The optimised weights, live (in-place ops change the model), as a handle in {@code scope}.
     */
    public NDArray weights(NDManager scope) {
        return live(storage.get(new NDIndex("0:" + trainableSize)), scope);
    }

    /** Every floating tensor of the model, live, as a handle in {@code scope}. */
    public NDArray allWeights(NDManager scope) {
        return live(storage.reshape(storage.size()), scope);
    }

    /**
     * The gradients, live (in-place ops change what the next step reads), as a handle in {@code
     * scope}.
     */
    public NDArray gradients(NDManager scope) {
        return live(gradStorage.reshape(trainableSize), scope);
    }

    private static NDArray live(NDArray view, NDManager scope) {
        view.attach(scope);
        return view;
    }

    /**
     * The gradients of the optimised parameters, packed (no gaps), on the host: a checkpoint's
     * pending gradients.
     */
    public float[] gradientValues() {
        return pack(gradStorage);
    }

    /**
     * {@code w -= update} for every optimised parameter; {@code update} is a flat vector of {@link
     * #size()}.
     */
    public void subtract(NDArray update) {
        try (NDManager scope = manager.newSubManager()) {
            weights(scope).subi(update);
        }
    }

    /**
     * Overwrites the optimised weights in place from a flat vector of {@link #size()} (checkpoint
     * restore, tests).
     */
    public void set(NDArray flat) {
        try (NDManager scope = manager.newSubManager()) {
            weights(scope).set(new NDIndex("..."), flat);
        }
    }

    /**
     * Sets the gradients to {@code values}, packed as {@link #gradientValues} writes them:
     * gradients accumulated, but not yet applied, when a checkpoint was written. Later batches then
     * accumulate onto them in the same order as in an uninterrupted run.
     */
    public void seedGradients(float[] values) {
        if (values.length != packedSize) {
            throw new IllegalArgumentException(
                    "gradient vector has "
                            + values.length
                            + " values, the parameters "
                            + packedSize);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray host =
                    scope.create(unpackPacked(values), new Shape(trainableSize))
                            .toDevice(gradStorage.getDevice(), false);
            gradients(scope).set(new NDIndex("..."), host);
        }
    }

    /**
     * Sets every gradient to 0 in place, with one op (assignment: NaN left by a failed batch goes
     * too).
     */
    public void zeroGradients() {
        // set(index, Number) would leave one scalar tensor in the buffer's manager per call: a slow
        // leak per step
        gradStorage.set(new NDIndex("..."), zero);
    }

    /**
     * Splits a flat vector of {@link #size()} into per-parameter host arrays (checkpoint export).
     */
    public List<float[]> toHost(NDArray flat) {
        float[] all = flat.toFloatArray();
        List<float[]> out = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            float[] v = new float[(int) (ranges[i][1] - ranges[i][0])];
            System.arraycopy(all, (int) ranges[i][0], v, 0, v.length);
            out.add(v);
        }
        return out;
    }

    /**
     * The inverse of {@link #toHost}: per-parameter host arrays (null = zeros) laid out flat, gaps
     * zero.
     */
    public float[] unpack(List<float[]> parts) {
        float[] all = new float[Math.toIntExact(trainableSize)];
        for (int i = 0; i < params.size(); i++) {
            float[] v = parts.get(i);
            if (v != null) {
                System.arraycopy(v, 0, all, (int) ranges[i][0], v.length);
            }
        }
        return all;
    }

    /** A packed vector ({@link #gradientValues}'s form) laid out flat, gaps zero. */
    private float[] unpackPacked(float[] packed) {
        float[] all = new float[Math.toIntExact(trainableSize)];
        int at = 0;
        for (int i = 0; i < params.size(); i++) {
            int n = (int) (ranges[i][1] - ranges[i][0]);
            System.arraycopy(packed, at, all, (int) ranges[i][0], n);
            at += n;
        }
        return all;
    }

    private float[] pack(NDArray flat) {
        float[] all = flat.toFloatArray();
        float[] out = new float[Math.toIntExact(packedSize)];
        int at = 0;
        for (int i = 0; i < params.size(); i++) {
            int n = (int) (ranges[i][1] - ranges[i][0]);
            System.arraycopy(all, (int) ranges[i][0], out, at, n);
            at += n;
        }
        return out;
    }

    /**
     * Releases the buffers' handles. The parameters keep using the memory (libtorch frees it with
     * the last tensor that views it), so the model stays valid; a new instance re-binds them to
     * fresh buffers.
     */
    @Override
    public void close() {
        manager.close();
    }
}
