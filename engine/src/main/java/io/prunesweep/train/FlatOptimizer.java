package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What SGD and AdamW share: flat state buffers (one vector per kind, e.g. the momentum of every
 * parameter), the step count, and the checkpoint form of the state ({@code kind.parameterName} per
 * parameter, plus {@code steps}), which is independent of the flat layout.
 */
abstract class FlatOptimizer implements Optimizer {
    protected final FlatParameters flat;
    protected final float weightDecay;
    private final boolean ownsFlat;
    private final Map<Parameter, String> names;
    private final NDManager manager;
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();
    protected long steps;

    FlatOptimizer(
            FlatParameters flat,
            boolean ownsFlat,
            Map<Parameter, String> names,
            float weightDecay) {
        this.flat = flat;
        this.ownsFlat = ownsFlat;
        this.names = names;
        this.weightDecay = weightDecay;
        this.manager = flat.parameters().get(0).getArray().getManager().newSubManager();
    }

    /** The kinds of state buffers this rule keeps, in checkpoint order. */
    abstract List<String> kinds();

    /** The flat buffer of {@code kind}, zeros at first use. */
    protected NDArray buffer(String kind) {
        return buffers.computeIfAbsent(
                kind, k -> manager.zeros(new ai.djl.ndarray.types.Shape(flat.size())));
    }

    /**
     * {@code x} moved into {@code scope}: results of ops on state buffers land in the buffers'
     * manager otherwise.
     */
    protected static NDArray scoped(NDArray x, NDManager scope) {
        x.attach(scope);
        return x;
    }

    @Override
    public void step(GroupSettings s) {
        try (NDManager scope = manager.newSubManager()) {
            step(flat.gradients(scope), flat.weights(scope), s);
        }
    }

    /**
     * Scales each group's part of {@code update} by that group's learning rate, then {@code w -=
     * update}.
     */
    protected void apply(NDArray update, GroupSettings s) {
        for (int g = 0; g < 3; g++) {
            if (flat.groupStart(g + 1) > flat.groupStart(g)) {
                flat.group(update, g).muli(s.lr()[g]);
            }
        }
        flat.subtract(update);
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        List<Parameter> params = flat.parameters();
        for (var e : buffers.entrySet()) {
            List<float[]> parts = flat.toHost(e.getValue());
            for (int i = 0; i < params.size(); i++) {
                out.put(e.getKey() + "." + names.get(params.get(i)), parts.get(i));
            }
        }
        out.put("steps", new float[] {steps});
        return out;
    }

    @Override
    public void loadState(Map<String, float[]> st) {
        List<Parameter> params = flat.parameters();
        long[][] ranges = flat.ranges();
        for (String kind : kinds()) {
            float[] all = new float[Math.toIntExact(flat.size())];
            boolean any = false;
            for (int i = 0; i < params.size(); i++) {
                float[] v = st.get(kind + "." + names.get(params.get(i)));
                if (v == null) {
                    continue;
                }
                if (v.length != ranges[i][1] - ranges[i][0]) {
                    throw new io.prunesweep.InputException(
                            "optimizer state "
                                    + kind
                                    + "."
                                    + names.get(params.get(i))
                                    + " has "
                                    + v.length
                                    + " values, the parameter "
                                    + (ranges[i][1] - ranges[i][0])
                                    + "; the checkpoint belongs to another network");
                }
                System.arraycopy(v, 0, all, (int) ranges[i][0], v.length);
                any = true;
            }
            if (any) {
                buffer(kind).set(all);
            }
        }
        float[] n = st.get("steps");
        steps = n == null ? 0 : (long) n[0];
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void close() {
        manager.close();
        if (ownsFlat) {
            flat.close();
        }
    }
}
