package io.prunesweep.train;

import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ultralytics' three optimizer groups: biases (no decay; warmup lr falls from {@code
 * warmup_bias_lr}), BatchNorm weights (no decay) and conv weights (decay). Running statistics and
 * frozen tensors are not optimised.
 */
public record ParamGroups(
        List<Parameter> biases, List<Parameter> bnWeights, List<Parameter> weights) {

    public static ParamGroups of(Map<String, Parameter> params) {
        List<Parameter> b = new ArrayList<>();
        List<Parameter> bn = new ArrayList<>();
        List<Parameter> w = new ArrayList<>();
        for (var e : params.entrySet()) {
            Parameter p = e.getValue();
            String name = e.getKey();
            if (!p.requiresGradient() || name.contains("running_")) {
                continue;
            }
            if (name.endsWith("bias")) {
                b.add(p);
            } else if (name.endsWith(".bn.weight")) {
                bn.add(p);
            } else {
                w.add(p);
            }
        }
        return new ParamGroups(List.copyOf(b), List.copyOf(bn), List.copyOf(w));
    }

    /**
     * All optimised parameters, group by group (bias, bn, weight: the order the lr schedule
     * indexes).
     */
    public List<List<Parameter>> groups() {
        return List.of(biases, bnWeights, weights);
    }

    public List<Parameter> all() {
        List<Parameter> all = new ArrayList<>(biases);
        all.addAll(bnWeights);
        all.addAll(weights);
        return all;
    }
}
