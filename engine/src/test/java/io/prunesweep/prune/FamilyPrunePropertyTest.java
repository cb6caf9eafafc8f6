package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.LayerChannels;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The property test of {@link PrunePropertyTest} for the anchor-based YOLOv5, YOLOv10 and
 * YOLOv8+MCA: every method, both scopes, ratios 0 .. 0.99, random and degenerate γ: every plan
 * respects the guards, its parameter count never grows with the ratio, and a sample of plans (0.99
 * of every sweep, a rotating middle ratio of every fourth) builds with copied weights, runs forward
 * in training and inference mode with the family's output shapes, and exports to ONNX with ONNX
 * Runtime matching the engine. Plus the coupling facts the families rely on: no layer is kept whole
 * for want of wiring, MCA is one channel space, heads' maps are fixed.
 */
class FamilyPrunePropertyTest {

    @ParameterizedTest(name = "{0} degenerate={1}")
    @CsvSource({
        "yolov5,false",
        "yolov5,true",
        "yolov10,false",
        "yolov10,true",
        "yolov8-mca,false",
        "yolov8-mca,true"
    })
    void everyRatioBuildsRunsAndNeverGrows(String family, boolean degenerate) {
        ModelGraph g = PruneFixtures.graph(family);
        assertEquals(
                java.util.List.of(),
                ChannelSpaces.of(g).notes(),
                "every layer of " + family + " declares consistent wiring");
        try (YoloModel model = PruneFixtures.model(g, 5, degenerate);
                NDManager m = NDManager.newBaseManager()) {
            Map<String, Tensor> sd = model.stateDict();
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 64));
            int sample = degenerate ? 1 : 0;
            // degenerate γ (zeros, ties, a NaN) matters to the γ-based ranking only; filter norms
            // and random ignore γ
            // the built-in channel criteria (unstructured is property-tested in
            // UnstructuredPruneTest)
            Method[] methods =
                    degenerate
                            ? new Method[] {Method.BN}
                            : Method.BUILT_IN.stream()
                                    .filter(c -> c != Method.UNSTRUCTURED)
                                    .toArray(Method[]::new);
            for (Method method : methods) {
                for (Scope scope : Scope.values()) {
                    PruneConfig cfg =
                            PruneConfig.of(method, 0)
                                    .withScope(scope)
                                    .withSplitParity(sample % 2 == 0);
                    Ranking ranking = Ranking.of(g, sd, cfg);
                    long previous = Long.MAX_VALUE;
                    // a middle ratio is built in every fourth sweep (each build of a new width set
                    // is a first run of
                    // its conv shapes, ~1-2 s on 2 shared cores)
                    double middle =
                            sample % 4 == 0 ? PrunePropertyTest.RATIOS[1 + (sample / 4 % 9)] : -1;
                    sample++;
                    for (double r : PrunePropertyTest.RATIOS) {
                        PrunePlan plan = ranking.plan(r);
                        long params = plan.pruned().parameterCount();
                        String where = family + " " + method + " " + scope + " r=" + r;
                        assertTrue(
                                params <= previous,
                                where + ": params grew " + previous + " -> " + params);
                        previous = params;
                        PrunePropertyTest.checkGuards(plan, 8, where);
                        if (r == 0) {
                            assertEquals(
                                    g.toJson(),
                                    plan.pruned().toJson(),
                                    where + ": ratio 0 is the original");
                        }
                        if (r == 0.99 || r == middle) {
                            buildAndRun(family, plan, sd, x, where, !degenerate);
                        }
                    }
                    assertTrue(
                            previous < 0.5 * g.parameterCount(),
                            family + " " + method + " " + scope + ": 0.99 prunes hard");
                }
            }
        }
    }

    /**
     * Raw maps and decoded output of the pruned model have the family's (unpruned) output format.
     */
    static void buildAndRun(
            String family,
            PrunePlan plan,
            Map<String, Tensor> sd,
            NDArray x,
            String where,
            boolean finite) {
        try (YoloModel pruned = Pruner.build(plan, sd, x.getDevice())) {
            ParameterStore ps = new ParameterStore(x.getManager(), false);
            NDList train = pruned.network().forwardRaw(ps, x, true);
            NDArray y = pruned.predict(x);
            switch (family) {
                case "yolov5" -> {
                    assertEquals(3, train.size(), where);
                    assertEquals(new Shape(2, 3 * (5 + 2), 8, 8), train.get(0).getShape(), where);
                    assertEquals(new Shape(2, 4 + 2, 3 * 84), y.getShape(), where);
                }
                case "yolov10" -> {
                    assertEquals(6, train.size(), where);
                    assertEquals(new Shape(2, 64 + 2, 2, 2), train.get(5).getShape(), where);
                    assertEquals(new Shape(2, 4 + 2, 84), y.getShape(), where);
                }
                default -> {
                    assertEquals(3, train.size(), where);
                    assertEquals(new Shape(2, 4 + 2, 84), y.getShape(), where);
                }
            }
            // (the degenerate fixture plants a NaN γ, which propagates wherever that channel is
            // kept)
            if (finite) {
                assertFalse(Float.isNaN(y.sum().getFloat()), where + ": finite output");
            }
            PrunePropertyTest.exportAndCheck(pruned, (int) x.getShape().get(2), where);
        }
    }

    @Test
    void couplingThroughTheNewModules() {
        // MCA gates multiply their input: one channel space in and out, prunable
        ModelGraph mca = PruneFixtures.graph("yolov8-mca");
        ChannelSpaces cs = ChannelSpaces.of(mca);
        for (Layer l : mca.layers()) {
            if (!l.module().equals("MCALayer")) {
                continue;
            }
            LayerChannels lc = cs.layers().get(l.index());
            assertArrayEquals(lc.inputs().get(0), lc.output(), "MCA layer " + l.index());
            assertTrue(
                    cs.space(lc.output()[0]).prunable(),
                    "MCA layer " + l.index() + " is prunable through");
        }
        // YOLOv5's anchor head: its raw maps are the output format (fixed), each level input is
        // prunable
        ModelGraph v5 = PruneFixtures.graph("yolov5");
        cs = ChannelSpaces.of(v5);
        LayerChannels head = cs.layers().get(v5.head().index());
        assertFalse(cs.space(head.output()[0]).prunable());
        for (int[] in : head.inputs()) {
            for (int s : in) {
                assertTrue(cs.space(s).prunable(), "head input space " + s);
            }
        }
        // YOLOv10: PSA keeps its attention stream; SCDown is one space (its depthwise conv follows
        // cv1)
        ModelGraph v10 = PruneFixtures.graph("yolov10");
        cs = ChannelSpaces.of(v10);
        assertFalse(cs.byName("10.cv1[1]").prunable(), "PSA residual stream fixed");
        assertTrue(cs.byName("10.cv1[0]").prunable(), "PSA bypass half prunable");
        LayerChannels sc = cs.layers().get(5);
        assertArrayEquals(
                sc.convs().get("cv1").out(),
                sc.convs().get("cv2").out(),
                "SCDown depthwise keeps cv1's space");
        LayerChannels cib = cs.layers().get(22);
        assertArrayEquals(
                cib.convs().get("m.0.cv1.1").out(),
                cib.convs().get("m.0.cv1.2.conv").out(),
                "RepVGGDW follows cv1.1");
        assertArrayEquals(
                cib.convs().get("m.0.cv1.1").out(),
                cib.convs().get("m.0.cv1.2.conv1").out(),
                "RepVGGDW follows cv1.1");
    }
}
