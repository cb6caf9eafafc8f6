package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Removing channels equals silencing them: with γ and β of every removed channel zeroed in all its
 * BatchNorm producers, a removed channel is exactly 0 after BN and after SiLU (SiLU(0) = 0), so it
 * adds nothing downstream; the original network then computes what the rebuilt one does.
 */
class PruneEquivalenceTest {

    @ParameterizedTest
    @CsvSource({
        "yolov8,bn,global,0.5",
        "yolo11,l1,global,0.6",
        "yolov5u,l2,local,0.4",
        "yolo11,random,local,0.7"
    })
    void zeroedOriginalMatchesRebuilt(String family, String method, String scope, double ratio) {
        ModelGraph g = PruneFixtures.graph(family);
        PruneConfig cfg =
                PruneConfig.of(Method.parse(method), ratio)
                        .withScope(Scope.parse(scope))
                        .withSplitParity(false);
        try (YoloModel original = PruneFixtures.model(g, 11, false);
                NDManager m = NDManager.newBaseManager()) {
            PruneResult result = Pruner.prune(original, cfg);
            try (YoloModel pruned = result.model()) {
                PrunePlan plan = result.plans().get(0);
                assertTrue(
                        pruned.graph().parameterCount() < 0.8 * g.parameterCount(),
                        "really pruned");
                WiringHarness.silenceRemoved(original, plan);
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
}
