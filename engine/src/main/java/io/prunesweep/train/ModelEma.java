package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.prunesweep.backend.NativeTensors;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.YoloModel;
import java.util.List;
import java.util.Map;

/**
 * Exponential moving average of all weights and BatchNorm statistics (ultralytics ModelEMA): after
 * each optimizer step {@code ema = d*ema + (1-d)*w} with {@code d = decay * (1 - exp(-updates /
 * tau))}. The EMA is a full second model, used for validation and saving.
 *
 * <p>The EMA model's tensors live in one buffer laid out like the training model's {@link
 * FlatParameters} (same order, same gaps), so an update is two in-place ops on the whole model and
 * the EMA model is always current.
 */
public final class ModelEma implements AutoCloseable {
    private final YoloModel ema;
    private final FlatParameters source;
    private final NDManager manager;
    private final List<String> names;
    private final long[][] ranges;
    private final NDArray average;
    private final double decay;
    private final double tau;
    private long updates;

    /**
     * @param source the training model's flat buffers, built with {@link FlatParameters#of} (names
     *     needed)
     */
    public ModelEma(YoloModel model, FlatParameters source, double decay, double tau) {
        if (source.names() == null) {
            throw new IllegalArgumentException("ModelEma needs FlatParameters.of(parameters)");
        }
        this.decay = decay;
        this.tau = tau;
        this.source = source;
        this.names = source.names();
        this.ranges = source.allRanges();
        this.ema = YoloModel.create(model.graph(), 0, model.device());
        ema.loadStateDict(model.stateDict());
        this.manager = model.manager().newSubManager();
        Map<String, Parameter> mine = ema.network().parameters();
        long size = ranges.length == 0 ? 0 : ranges[ranges.length - 1][1];
        this.average = manager.zeros(new Shape(size), DataType.FLOAT32, model.device());
        for (int i = 0; i < names.size(); i++) {
            Parameter p = mine.get(names.get(i));
            if (p == null) {
                throw new IllegalStateException("EMA model has no tensor " + names.get(i));
            }
            NDArray t = p.getArray();
            try (NDArray slice = average.get(new NDIndex(ranges[i][0] + ":" + ranges[i][1]));
                    NDArray view = slice.reshape(t.getShape())) {
                view.set(new NDIndex("..."), t);
                NativeTensors.share(t, view);
            }
        }
    }

    public void update() {
        updates++;
        float d = (float) (decay * (1 - Math.exp(-updates / tau)));
        try (NDManager scope = manager.newSubManager()) {
            NDArray w = source.allWeights(scope).get(new NDIndex("0:" + average.size()));
            w.attach(scope);
            average.muli(d).addi(w.mul(1f - d));
        }
    }

    /** The EMA model (its tensors are the average itself, so it is always up to date). */
    public YoloModel model() {
        return ema;
    }

    /** Replaces the average (resume from a checkpoint's EMA weights), in place. */
    public void load(Map<String, Tensor> weights) {
        float[] all = new float[Math.toIntExact(average.size())];
        for (int i = 0; i < names.size(); i++) {
            int n = Math.toIntExact(ranges[i][1] - ranges[i][0]);
            Tensor t = weights.get(names.get(i));
            if (t == null || t.data().length != n) {
                throw new io.prunesweep.InputException(
                        "EMA weights: "
                                + names.get(i)
                                + (t == null
                                        ? " is missing"
                                        : " has " + t.data().length + " values, expected " + n));
            }
            System.arraycopy(t.data(), 0, all, (int) ranges[i][0], n);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray host =
                    scope.create(all, new Shape(all.length)).toDevice(average.getDevice(), false);
            average.set(new NDIndex("..."), host);
        }
    }

    public long updates() {
        return updates;
    }

    public void setUpdates(long n) {
        updates = n;
    }

    @Override
    public void close() {
        manager.close();
        ema.close();
    }
}
