package io.prunesweep.prune;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small models with non-trivial BatchNorm parameters and statistics, optionally with degenerate γ.
 */
final class PruneFixtures {
    static final String[] FAMILIES = {"yolov8", "yolo11", "yolov5u"};

    private PruneFixtures() {}

    static ModelGraph graph(String family) {
        return GraphBuilder.build(ModelDefinition.bundled(family), "n", 2);
    }

    /**
     * Seeded model whose BN γ, β and running statistics are random. With {@code degenerate}: every
     * third BN has all-zero γ, every fifth has one tied value for all channels, and layer 2's first
     * BN has a NaN.
     */
    static YoloModel model(ModelGraph g, long seed, boolean degenerate) {
        YoloModel m = YoloModel.create(g, seed, Device.cpu());
        SplittableRandom r = new SplittableRandom(seed);
        int bn = 0;
        boolean nanDone = false;
        for (Map.Entry<String, Parameter> e : m.network().parameters().entrySet()) {
            String k = e.getKey();
            if (!k.contains(".bn.")) {
                continue;
            }
            int n = (int) e.getValue().getArray().size();
            float[] v = new float[n];
            if (k.endsWith("bn.weight")) {
                bn++;
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (0.2 + r.nextDouble());
                }
                if (degenerate && bn % 3 == 0) {
                    Arrays.fill(v, 0f);
                } else if (degenerate && bn % 5 == 0) {
                    Arrays.fill(v, 0.5f);
                }
                if (degenerate && !nanDone && k.startsWith("model.2.")) {
                    v[1] = Float.NaN;
                    nanDone = true;
                }
            } else if (k.endsWith("bn.bias")) {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (r.nextDouble() * 0.4 - 0.2);
                }
            } else if (k.endsWith("running_mean")) {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (r.nextDouble() * 0.2 - 0.1);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (0.5 + r.nextDouble());
                }
            }
            e.getValue().getArray().set(v);
        }
        return m;
    }
}
