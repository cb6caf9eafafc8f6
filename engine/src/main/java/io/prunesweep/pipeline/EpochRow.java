package io.prunesweep.pipeline;

import java.util.Map;

/**
 * One row of a training curve.
 *
 * @param phase dense, sparse or finetune
 * @param epoch 0-based epoch index
 * @param values named values, see {@link MetricKeys} for the well-known ones (box_loss, lr,
 *     map50_95, ...)
 */
public record EpochRow(String phase, int epoch, Map<String, Double> values) {
    public EpochRow {
        values = values == null ? Map.of() : Map.copyOf(values);
    }
}
