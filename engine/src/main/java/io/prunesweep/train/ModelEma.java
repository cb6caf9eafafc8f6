package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.prunesweep.model.YoloModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential moving average of all weights and BatchNorm statistics (ultralytics ModelEMA): after each optimizer
 * step {@code ema = d*ema + (1-d)*w} with {@code d = decay * (1 - exp(-updates / tau))}. The EMA is a full second
 * model, used for validation and saving.
 */
public final class ModelEma implements AutoCloseable {
    private final YoloModel ema;
    private final Map<NDArray, NDArray> pairs = new LinkedHashMap<>();
    private final double decay;
    private final double tau;
    private long updates;

    public ModelEma(YoloModel model, double decay, double tau) {
        this.decay = decay;
        this.tau = tau;
        this.ema = YoloModel.create(model.graph(), 0, model.device());
        ema.loadStateDict(model.stateDict());
        Map<String, Parameter> src = model.network().parameters();
        ema.network().parameters().forEach((k, p) -> pairs.put(p.getArray(), src.get(k).getArray()));
    }

    public void update() {
        updates++;
        float d = (float) (decay * (1 - Math.exp(-updates / tau)));
        NDManager scope = ema.manager().newSubManager();
        try (scope) {
            for (var e : pairs.entrySet()) {
                NDArray w = e.getValue();
                NDArray detached = w.stopGradient();
                detached.attach(scope);
                e.getKey().muli(d).addi(detached.mul(1f - d));
            }
        }
    }

    public YoloModel model() {
        return ema;
    }

    public long updates() {
        return updates;
    }

    public void setUpdates(long n) {
        updates = n;
    }

    @Override
    public void close() {
        ema.close();
    }
}
