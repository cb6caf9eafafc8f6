package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prunesweep.InputException;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.unstructured.MaskedWeights;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Unstructured magnitude pruning over the ratio grid: the shapes, parameter count and GFLOPs never
 * change, exactly {@code floor(ratio · n)} conv weights become 0 (globally) and they are the
 * smallest, a larger ratio zeroes a superset, ratio 0 changes nothing, and every result runs
 * (training and inference) and exports to an ONNX file that ONNX Runtime checks against the engine.
 */
class UnstructuredPruneTest {
    static final double[] RATIOS = {0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99};

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"yolov8,global", "yolo11,local", "yolov5u,global"})
    void everyRatioKeepsShapesZeroesTheSmallestAndExports(String family, String scope) {
        ModelGraph g = PruneFixtures.graph(family);
        try (YoloModel model = PruneFixtures.model(g, 7, false);
                NDManager m = NDManager.newBaseManager()) {
            Map<String, Tensor> sd = model.stateDict();
            List<String> names = MaskedWeights.names(g);
            long n = 0;
            for (String k : names) {
                n += sd.get(k).data().length;
            }
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 64));
            boolean[] previous = null;
            for (double r : RATIOS) {
                String where = family + " " + scope + " r=" + r;
                PruneResult pr =
                        Pruner.prune(
                                model,
                                PruneConfig.of(Method.UNSTRUCTURED, r)
                                        .withScope(Scope.parse(scope)));
                try (YoloModel p = pr.model()) {
                    assertEquals(g.parameterCount(), p.graph().parameterCount(), where);
                    assertEquals(g.gflops(640), p.graph().gflops(640), 1e-9, where);
                    Map<String, Tensor> psd = p.stateDict();
                    long zeros = MaskedWeights.zeros(g, psd);
                    if (scope.equals("global")) {
                        assertEquals((long) Math.floor(r * n), zeros, where);
                    } else {
                        assertTrue(
                                Math.abs(zeros - r * n) <= names.size(),
                                where + ": " + zeros + " of " + n);
                    }
                    assertEquals(
                            g.parameterCount() - zeros, MaskedWeights.nonzeroParameters(g, psd));
                    boolean[] zeroed = new boolean[(int) n];
                    int at = 0;
                    for (String k : names) {
                        float[] before = sd.get(k).data();
                        float[] after = psd.get(k).data();
                        float largestZeroed = 0;
                        float smallestKept = Float.MAX_VALUE;
                        for (int i = 0; i < before.length; i++, at++) {
                            zeroed[at] = after[i] == 0f;
                            if (zeroed[at]) {
                                largestZeroed = Math.max(largestZeroed, Math.abs(before[i]));
                            } else {
                                assertEquals(
                                        before[i],
                                        after[i],
                                        where + ": kept weights are untouched");
                                smallestKept = Math.min(smallestKept, Math.abs(before[i]));
                            }
                            if (previous != null && previous[at]) {
                                assertTrue(zeroed[at], where + ": not a superset");
                            }
                        }
                        if (scope.equals("local")) {
                            assertTrue(largestZeroed <= smallestKept, where + " " + k);
                        }
                    }
                    previous = zeroed;
                    // everything that is not a conv weight (BN, biases, DFL, tensors) is as it was
                    for (var e : sd.entrySet()) {
                        if (!names.contains(e.getKey())) {
                            assertArrayEquals(
                                    e.getValue().data(), psd.get(e.getKey()).data(), e.getKey());
                        }
                    }
                    if (r == 0) {
                        assertEquals(0, zeros, where);
                    }
                    if (r == 0.99 || r == 0.5) {
                        NDList train =
                                p.network().forwardRaw(new ParameterStore(m, false), x, true);
                        assertEquals(3, train.size(), where);
                        assertEquals(
                                new Shape(2, 4 + 2, 64 + 16 + 4), p.predict(x).getShape(), where);
                        PrunePropertyTest.exportAndCheck(p, 64, where);
                    }
                }
            }
        }
    }

    @Test
    void badInputIsOneClearMessage() {
        ModelGraph g = PruneFixtures.graph("yolov8");
        try (YoloModel model = PruneFixtures.model(g, 1, false)) {
            PruneConfig base = PruneConfig.of(Method.UNSTRUCTURED, 0.5);
            var e =
                    assertThrows(
                            InputException.class,
                            () -> Pruner.prune(model, base.withTargets(0.5, null)));
            assertTrue(e.getMessage().contains("give --ratio"), e.getMessage());
            e = assertThrows(InputException.class, () -> Pruner.prune(model, base.withSteps(2)));
            assertTrue(e.getMessage().contains("one step"), e.getMessage());
            e = assertThrows(InputException.class, () -> Pruner.prune(model, base.withRatio(1.0)));
            assertTrue(e.getMessage().contains("outside [0, 1)"), e.getMessage());
            assertEquals(Method.UNSTRUCTURED, Method.parse("Unstructured"));
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            Method.UNSTRUCTURED
                                    .importance()
                                    .scores(
                                            io.prunesweep.graph.ChannelSpaces.of(g),
                                            model.stateDict(),
                                            0));
        }
    }
}
