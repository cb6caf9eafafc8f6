package io.prunesweep.prune.unstructured;

import io.prunesweep.InputException;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.Method;
import io.prunesweep.prune.PruneConfig;
import io.prunesweep.prune.PrunePlan;
import io.prunesweep.prune.PruneResult;
import io.prunesweep.prune.Ranking;
import io.prunesweep.prune.Scope;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unstructured (weight-level) magnitude pruning, the baseline structured pruning is compared with
 * (Han et al. 2015): the {@code ratio} fraction of conv weights with the smallest |w| is set to
 * exactly 0, over all convs at once ({@code global}) or in every conv ({@code local}). The network
 * keeps its dense shapes, parameter count and GFLOPs; the trainer keeps the zeros through
 * finetuning ({@code train.WeightMasks}). Dense kernels compute the zeros like any other weight, so
 * latency does not change: that is the point of the comparison.
 *
 * <p>Ties at the threshold are zeroed in graph order until exactly {@code floor(ratio · n)} weights
 * are 0.
 */
public final class MagnitudePruner {
    private MagnitudePruner() {}

    public static PruneResult prune(YoloModel model, PruneConfig config) {
        config.validate();
        if (config.ratio() == null) {
            throw new InputException(
                    "unstructured pruning keeps the dense shapes, so GFLOPs and parameter targets do not"
                            + " apply: give --ratio, the fraction of conv weights set to 0");
        }
        if (config.steps() > 1) {
            throw new InputException(
                    "unstructured pruning is one step: drop --steps " + config.steps());
        }
        long t0 = System.nanoTime();
        ModelGraph graph = model.graph();
        Map<String, Tensor> sd = model.stateDict();
        List<String> names = MaskedWeights.names(graph);
        Map<String, Tensor> out = new LinkedHashMap<>(sd);
        if (config.scope() == Scope.GLOBAL) {
            float[][] ws = new float[names.size()][];
            for (int i = 0; i < ws.length; i++) {
                ws[i] = sd.get(names.get(i)).data().clone();
            }
            zeroSmallest(ws, config.ratio());
            for (int i = 0; i < ws.length; i++) {
                out.put(names.get(i), Tensor.f32(sd.get(names.get(i)).shape(), ws[i]));
            }
        } else {
            for (String n : names) {
                float[][] w = {sd.get(n).data().clone()};
                zeroSmallest(w, config.ratio());
                out.put(n, Tensor.f32(sd.get(n).shape(), w[0]));
            }
        }
        // the channel view, unchanged: the report's widths and counts come from it
        PrunePlan plan =
                Ranking.of(graph, sd, PruneConfig.of(Method.BN, 0).withGuards(1, 1)).plan(0);
        long t1 = System.nanoTime();
        YoloModel pruned = YoloModel.create(graph, 0, model.device());
        pruned.loadStateDict(out);
        long t2 = System.nanoTime();
        return new PruneResult(
                pruned,
                graph,
                graph,
                config,
                config.ratio(),
                null,
                List.of(plan),
                List.of(),
                (t1 - t0) / 1e9,
                (t2 - t1) / 1e9);
    }

    /**
     * Sets the {@code floor(ratio · n)} smallest |w| over all arrays to 0, in place (NaN counts as
     * smallest).
     */
    static void zeroSmallest(float[][] ws, double ratio) {
        int n = 0;
        for (float[] w : ws) {
            n += w.length;
        }
        int k = (int) Math.floor(ratio * n);
        if (k <= 0) {
            return;
        }
        float[] abs = new float[n];
        int at = 0;
        for (float[] w : ws) {
            for (float v : w) {
                abs[at++] = Float.isNaN(v) ? -1f : Math.abs(v);
            }
        }
        Arrays.sort(abs);
        float t = abs[k - 1];
        int below = 0;
        for (float[] w : ws) {
            for (float v : w) {
                if (magnitude(v) < t) {
                    below++;
                }
            }
        }
        int ties = k - below; // values equal to t to zero, in order
        for (float[] w : ws) {
            for (int i = 0; i < w.length; i++) {
                float m = magnitude(w[i]);
                if (m < t) {
                    w[i] = 0f;
                } else if (m == t && ties > 0) {
                    w[i] = 0f;
                    ties--;
                }
            }
        }
    }

    private static float magnitude(float v) {
        return Float.isNaN(v) ? -1f : Math.abs(v);
    }
}
