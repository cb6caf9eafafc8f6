package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Per-parameter buffers of an optimizer (momentum, Adam moments), kept in their own manager on the device. */
final class OptimizerState implements AutoCloseable {
    private final NDManager manager;
    private final Map<Parameter, String> names;
    private final Map<String, Map<Parameter, NDArray>> buffers = new LinkedHashMap<>();

    OptimizerState(NDManager parent, Map<Parameter, String> names) {
        this.manager = parent.newSubManager();
        this.names = names;
    }

    /** The buffer {@code kind} of a parameter, created as zeros on first use. */
    NDArray buffer(String kind, Parameter p) {
        return buffers.computeIfAbsent(kind, k -> new IdentityHashMap<>())
                .computeIfAbsent(p, q -> manager.zeros(q.getArray().getShape(), q.getArray().getDataType()));
    }

    Map<String, float[]> export() {
        Map<String, float[]> out = new LinkedHashMap<>();
        buffers.forEach((kind, m) -> m.forEach((p, a) -> out.put(kind + "." + names.get(p), a.toFloatArray())));
        return out;
    }

    void load(Map<String, float[]> state, Iterable<Parameter> params, String... kinds) {
        for (Parameter p : params) {
            for (String kind : kinds) {
                float[] v = state.get(kind + "." + names.get(p));
                if (v != null) buffer(kind, p).set(v);
            }
        }
    }

    NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
