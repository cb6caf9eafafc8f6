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
 * {@link PruneEquivalenceTest} for the anchor-based YOLOv5 and YOLOv10 (SCDown, C2fCIB with
 * RepVGGDW, PSA, dual head): the original with the removed channels' γ and β zeroed computes what
 * the rebuilt network does, raw maps and decoded output. (MCA is left out on purpose: its pooled
 * gates see the zeroed channels, see McaModule.)
 */
class FamilyPruneEquivalenceTest {

    @ParameterizedTest
    @CsvSource({"yolov5,l1,global,0.5", "yolov10,bn,local,0.5"})
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
                assertTrue(
                        pruned.graph().parameterCount() < 0.8 * g.parameterCount(),
                        "really pruned");
                WiringHarness.silenceRemoved(original, result.plans().get(0));
                NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 64));
                ParameterStore ps = new ParameterStore(m, false);
                NDList a = original.network().forwardRaw(ps, x, false);
                NDList b = pruned.network().forwardRaw(ps, x, false);
                assertEquals(a.size(), b.size());
                for (int i = 0; i < a.size(); i++) {
                    assertEquals(a.get(i).getShape(), b.get(i).getShape());
                    float d = a.get(i).sub(b.get(i)).abs().max().getFloat();
                    assertTrue(d < 1e-4, "map " + i + " max abs diff " + d);
                }
                float d = original.predict(x).sub(pruned.predict(x)).abs().max().getFloat();
                assertTrue(d < 1e-3, "decoded max abs diff " + d + " (boxes in pixels)");
            }
        }
    }
}
