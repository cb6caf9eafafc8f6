package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.YoloModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exponential moving average of all weights and BatchNorm statistics (ultralytics ModelEMA): after each optimizer
 * step {@code ema = d*ema + (1-d)*w} with {@code d = decay * (1 - exp(-updates / tau))}. The EMA is a full second
 * model, used for validation and saving.
 *
 * <p>The average itself is one flat vector updated with three tensor ops per step (the model's floating tensors
 * are gathered with one concatenation); it is copied into the EMA model's parameters only when {@link #model()}
 * is asked for, i.e. once per epoch for validation and checkpoints.
 */
public final class ModelEma implements AutoCloseable {
    private final YoloModel ema;
    private final NDManager manager;
    private final NDList source = new NDList();
    private final NDList target = new NDList();
    private final List<String> names = new ArrayList<>();
    private final long[] splitPoints;
    private final NDArray average;
    private final double decay;
    private final double tau;
    private long updates;
    private boolean stale;

    public ModelEma(YoloModel model, double decay, double tau) {
        this.decay = decay;
        this.tau = tau;
        this.ema = YoloModel.create(model.graph(), 0, model.device());
        ema.loadStateDict(model.stateDict());
        this.manager = model.manager().newSubManager();
        Map<String, Parameter> src = model.network().parameters();
        List<Long> points = new ArrayList<>();
        long at = 0;
        for (var e : ema.network().parameters().entrySet()) {
            NDArray mine = e.getValue().getArray();
            if (!mine.getDataType().isFloating()) continue;
            NDArray s = src.get(e.getKey()).getArray().reshape(-1);
            NDArray t = mine.reshape(-1);
            s.attach(manager);
            t.attach(manager);
            source.add(s);
            target.add(t);
            names.add(e.getKey());
            at += s.size();
            points.add(at);
        }
        points.remove(points.size() - 1);
        this.splitPoints = points.stream().mapToLong(Long::longValue).toArray();
        this.average = concat(target);
    }

    public void update() {
        updates++;
        float d = (float) (decay * (1 - Math.exp(-updates / tau)));
        try (NDManager scope = manager.newSubManager()) {
            NDArray w = concat(source);
            w.attach(scope);
            average.muli(d).addi(w.muli(1f - d));
        }
        stale = true;
    }

    /** The EMA model, its parameters brought up to date. */
    public YoloModel model() {
        if (stale) {
            try (NDManager scope = manager.newSubManager()) {
                NDList parts = target.size() == 1 ? new NDList(average) : average.split(splitPoints);
                if (target.size() > 1) parts.attach(scope);
                for (int i = 0; i < target.size(); i++) target.get(i).set(new NDIndex(":"), parts.get(i));
            }
            stale = false;
        }
        return ema;
    }

    /**
     * Replaces the average (resume from a checkpoint's EMA weights). Written through the flat vector, not with
     * {@code NDArray.set(float[])} on the parameters: on the CPU that re-points a tensor at new memory, which
     * would cut it loose from the views this class keeps.
     */
    public void load(Map<String, Tensor> weights) {
        float[] all = new float[Math.toIntExact(average.size())];
        int at = 0;
        for (int i = 0; i < names.size(); i++) {
            int n = Math.toIntExact(target.get(i).size());
            Tensor t = weights.get(names.get(i));
            if (t == null || t.data().length != n) {
                throw new io.prunesweep.InputException("EMA weights: " + names.get(i)
                        + (t == null ? " is missing" : " has " + t.data().length + " values, expected " + n));
            }
            System.arraycopy(t.data(), 0, all, at, n);
            at += n;
        }
        average.set(all);
        stale = true;
        model();
    }

    public long updates() {
        return updates;
    }

    public void setUpdates(long n) {
        updates = n;
    }

    private NDArray concat(NDList parts) {
        NDArray out = parts.size() == 1 ? parts.get(0).duplicate() : NDArrays.concat(parts);
        out.attach(manager);
        return out.getDataType() == DataType.FLOAT32 ? out : out.toType(DataType.FLOAT32, false);
    }

    @Override
    public void close() {
        manager.close();
        ema.close();
    }
}
