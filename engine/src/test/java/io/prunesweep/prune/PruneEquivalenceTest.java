package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.prunesweep.graph.ChannelSpaces.Producer;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Removing channels equals silencing them: with γ and β of every removed channel zeroed in all its BatchNorm
 * producers, a removed channel is exactly 0 after BN and after SiLU (SiLU(0) = 0), so it adds nothing downstream;
 * the original network then computes what the rebuilt one does.
 */
class PruneEquivalenceTest {

    @ParameterizedTest
    @CsvSource({"yolov8,bn,global,0.5", "yolo11,l1,global,0.6", "yolov5u,l2,local,0.4", "yolo11,random,local,0.7"})
    void zeroedOriginalMatchesRebuilt(String family, String method, String scope, double ratio) {
        ModelGraph g = PruneFixtures.graph(family);
        PruneConfig cfg = PruneConfig.of(Method.parse(method), ratio).withScope(Scope.parse(scope)).withSplitParity(false);
        try (YoloModel original = PruneFixtures.model(g, 11, false);
                NDManager m = NDManager.newBaseManager()) {
            PruneResult result = Pruner.prune(original, cfg);
            try (YoloModel pruned = result.model()) {
                PrunePlan plan = result.plans().get(0);
                assertTrue(pruned.graph().parameterCount() < 0.8 * g.parameterCount(), "really pruned");
                silenceRemoved(original, plan);
                NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 64));
                ParameterStore ps = new ParameterStore(m, false);
                NDList a = original.network().forwardRaw(ps, x, false);
                NDList b = pruned.network().forwardRaw(ps, x, false);
                for (int i = 0; i < a.size(); i++) {
                    assertEquals(a.get(i).getShape(), b.get(i).getShape());
                    float d = a.get(i).sub(b.get(i)).abs().max().getFloat();
                    assertTrue(d < 1e-4, "level " + i + " max abs diff " + d);
                }
                float d = original.predict(x).sub(pruned.predict(x)).abs().max().getFloat();
                assertTrue(d < 1e-4, "decoded max abs diff " + d);
            }
        }
    }

    /** γ = β = 0 for every removed channel in every BatchNorm producing its space. */
    static void silenceRemoved(YoloModel model, PrunePlan plan) {
        Map<String, Parameter> params = model.network().parameters();
        for (Space s : plan.spaces().prunable()) {
            int[] removed = plan.removed(s.id());
            if (removed.length == 0) continue;
            for (Producer p : s.producers()) {
                if (!p.bn()) continue;
                Layer layer = plan.original().layers().get(p.layer());
                for (String k : new String[] {"bn.weight", "bn.bias"}) {
                    var arr = params.get(layer.prefix(p.convPath()) + k).getArray();
                    float[] v = arr.toFloatArray();
                    for (int c : removed) v[p.offset() + c] = 0f;
                    arr.set(v);
                }
            }
        }
    }
}
