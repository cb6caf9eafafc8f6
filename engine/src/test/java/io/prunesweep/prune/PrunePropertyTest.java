package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.io.onnx.YoloOnnxExporter;
import io.prunesweep.io.onnx.YoloOnnxExporter.Check;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every family x gamma kind, all methods and both scopes over the whole ratio grid: every plan
 * respects the guards and its parameter count never grows with the ratio. A sample of each sweep
 * (always the extreme ratio 0.99, plus one rotating middle ratio) is built with copied weights and
 * run forward in training and inference mode; ratio 0 must reproduce the original graph.
 */
class PrunePropertyTest {
    static final double[] RATIOS = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99};

    @ParameterizedTest(name = "{0} degenerate={1}")
    @CsvSource({
        "yolov8,false",
        "yolov8,true",
        "yolo11,false",
        "yolo11,true",
        "yolov5u,false",
        "yolov5u,true"
    })
    void everyRatioBuildsRunsAndNeverGrows(String family, boolean degenerate) {
        ModelGraph g = PruneFixtures.graph(family);
        try (YoloModel model = PruneFixtures.model(g, 5, degenerate);
                NDManager m = NDManager.newBaseManager()) {
            Map<String, Tensor> sd = model.stateDict();
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 64));
            int sample = 0;
            for (Method method :
                    Method.BUILT_IN.stream().filter(c -> c != Method.UNSTRUCTURED).toList()) {
                for (Scope scope : Scope.values()) {
                    PruneConfig cfg =
                            PruneConfig.of(method, 0)
                                    .withScope(scope)
                                    .withSplitParity(sample % 2 == 0);
                    Ranking ranking = Ranking.of(g, sd, cfg);
                    long previous = Long.MAX_VALUE;
                    double middle = RATIOS[1 + (sample++ % 9)];
                    for (double r : RATIOS) {
                        PrunePlan plan = ranking.plan(r);
                        long params = plan.pruned().parameterCount();
                        String where = family + " " + method + " " + scope + " r=" + r;
                        assertTrue(
                                params <= previous,
                                where + ": params grew " + previous + " -> " + params);
                        previous = params;
                        checkGuards(plan, 8, where);
                        if (r == 0) {
                            assertEquals(g.parameterCount(), params, where);
                        }
                        if (r == 0.99 || r == middle) {
                            buildAndRun(plan, sd, x, where);
                        }
                    }
                    assertTrue(
                            previous < 0.5 * g.parameterCount(),
                            family + " " + method + " " + scope + ": 0.99 prunes hard");
                }
            }
        }
    }

    static void checkGuards(PrunePlan plan, int minChannels, String where) {
        for (Space s : plan.spaces().spaces()) {
            int k = plan.kept()[s.id()].length;
            if (!s.prunable()) {
                assertEquals(s.width(), k, where + ": frozen space " + s.name() + " changed");
            } else {
                assertTrue(
                        k >= 1 && k >= Math.min(minChannels, s.width()),
                        where + ": " + s.name() + " kept " + k);
            }
        }
    }

    static void buildAndRun(PrunePlan plan, Map<String, Tensor> sd, NDArray x, String where) {
        try (YoloModel pruned = Pruner.build(plan, sd, x.getDevice())) {
            ParameterStore ps = new ParameterStore(x.getManager(), false);
            NDList train = pruned.network().forwardRaw(ps, x, true);
            assertEquals(3, train.size(), where);
            assertEquals(new Shape(2, 64 + 2, 8, 8), train.get(0).getShape(), where);
            NDArray y = pruned.predict(x);
            assertEquals(new Shape(2, 4 + 2, 64 + 16 + 4), y.getShape(), where);
            exportAndCheck(pruned, (int) x.getShape().get(2), where);
        }
    }

    /**
     * Exports the built network to ONNX (in memory) and runs the exporter's check on it: ONNX
     * Runtime on a seeded batch of 2 must match the engine's forward. ONNX Runtime is the
     * independent reference for the engine's convolutions at the plan's (pruned, arbitrary) widths.
     */
    static void exportAndCheck(YoloModel pruned, int imgsz, String where) {
        Check c =
                YoloOnnxExporter.check(
                        pruned, YoloOnnxExporter.toBytes(pruned, imgsz), where, imgsz, 2, 0);
        assertTrue(c.passed(), where + ": ONNX export " + c);
    }
}
