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
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.ModuleRegistry;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.YoloModel;
import io.prunesweep.model.nn.LayerForward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graphs no published script handles: a residual add over a concat, and a user module that declares
 * no wiring.
 */
class CustomGraphPruneTest {

    /** A user's module with one 1x1 conv and no channel wiring: pruning must work around it. */
    static final class TestMix implements ModuleType {
        @Override
        public List<String> names() {
            return List.of("TestMix");
        }

        @Override
        public Layer define(LayerContext ctx) {
            int c2 = ctx.intArg(0, ctx.c1());
            return new Layer(
                    ctx.index(),
                    ctx.from(),
                    "TestMix",
                    Map.of("mix", ConvSpec.conv(ctx.c1(), c2, 1, 1)),
                    Map.of(),
                    ctx.inChannels(),
                    c2,
                    ctx.inStrides()[0]);
        }

        @Override
        public NDList forward(Layer layer, LayerForward f, NDList in) {
            return new NDList(f.conv("mix", in.get(0)));
        }
    }

    /**
     * The same module with a wrong declaration (reads its input twice): it must be kept whole, not
     * break.
     */
    static final class TestMixMiswired implements ModuleType {
        private final TestMix inner = new TestMix();

        @Override
        public List<String> names() {
            return List.of("TestMixMiswired");
        }

        @Override
        public Layer define(LayerContext ctx) {
            Layer l = inner.define(ctx);
            return new Layer(
                    l.index(),
                    l.from(),
                    "TestMixMiswired",
                    l.convs(),
                    l.attrs(),
                    l.inChannels(),
                    l.outChannels(),
                    l.stride());
        }

        @Override
        public NDList forward(Layer layer, LayerForward f, NDList in) {
            return inner.forward(layer, f, in);
        }

        @Override
        public io.prunesweep.model.Wiring wiring(Layer layer) {
            return io.prunesweep.model.Wiring.of(layer).conv("mix", "in0", "in0").output("mix");
        }
    }

    static final String YAML =
            """
            nc: 2
            scales:
              n: [1.0, 1.0, 1024]
            backbone:
              - [-1, 1, Conv, [16, 3, 2]]     # 0
              - [-1, 1, Conv, [32, 3, 2]]     # 1
              - [-1, 1, Conv, [16, 1, 1]]     # 2
              - [[-1, 1], 1, Concat, [1]]     # 3: 16 + 32
              - [-1, 1, Bottleneck, [48]]     # 4: x + cv2(cv1(x)) over the concat
              - [-1, 1, Conv, [32, 3, 2]]     # 5
              - [-1, 1, TestMix, [32]]        # 6: no wiring
              - [-1, 1, Conv, [64, 3, 2]]     # 7
              - [-1, 1, Conv, [64, 3, 2]]     # 8
            head:
              - [[6, 7, 8], 1, Detect, [nc]]  # 9
            """;

    @Test
    void residualOverConcatAndOpaqueModule(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("custom.yaml");
        Files.writeString(file, YAML);
        ModelGraph g =
                GraphBuilder.build(
                        ModelDefinition.read(file),
                        "n",
                        null,
                        ModuleRegistry.standard().with(new TestMix()));
        ChannelSpaces cs = ChannelSpaces.of(g);

        // the add ties cv2's output to [layer 2 | layer 1]: cv2's 48 outputs are refined into 16 +
        // 32
        Space s2 = cs.byName("2");
        Space s1 = cs.byName("1");
        assertArrayEquals(
                new int[] {s2.id(), s1.id()}, cs.layers().get(4).convs().get("cv2").out());
        assertTrue(
                s2.producers().stream()
                        .anyMatch(
                                p ->
                                        p.layer() == 4
                                                && p.convPath().equals("cv2")
                                                && p.offset() == 0));
        assertTrue(
                s1.producers().stream()
                        .anyMatch(
                                p ->
                                        p.layer() == 4
                                                && p.convPath().equals("cv2")
                                                && p.offset() == 16));
        // the opaque layer freezes its input and output, and only those
        assertEquals(1, cs.notes().size());
        assertTrue(cs.notes().get(0).contains("layer 6 (TestMix)"), cs.notes().get(0));
        assertFalse(cs.byName("5").prunable());
        assertFalse(cs.byName("6").prunable());
        assertTrue(cs.byName("7").prunable());

        PruneConfig cfg = PruneConfig.of(Method.BN, 0.5).withGuards(4, 1);
        try (YoloModel original = PruneFixtures.model(g, 2, false);
                NDManager m = NDManager.newBaseManager()) {
            PruneResult r = Pruner.prune(original, cfg);
            try (YoloModel pruned = r.model()) {
                Layer l4 = pruned.graph().layers().get(4);
                int kept =
                        r.plans().get(0).kept()[s2.id()].length
                                + r.plans().get(0).kept()[s1.id()].length;
                assertTrue(kept < 48);
                assertEquals(kept, l4.inChannels()[0]);
                assertEquals(kept, l4.conv("cv2").out());
                assertEquals(kept, l4.conv("cv1").in());
                assertEquals(
                        g.layers().get(6),
                        pruned.graph().layers().get(6),
                        "the opaque layer is untouched");
                WiringHarness.silenceRemoved(original, r.plans().get(0));
                NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 64));
                ParameterStore ps = new ParameterStore(m, false);
                NDList a = original.network().forwardRaw(ps, x, false);
                NDList b = pruned.network().forwardRaw(ps, x, false);
                for (int i = 0; i < a.size(); i++) {
                    assertTrue(a.get(i).sub(b.get(i)).abs().max().getFloat() < 1e-4, "level " + i);
                }
            }
        }
    }

    @Test
    void inconsistentWiringKeepsTheLayerWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("miswired.yaml");
        Files.writeString(file, YAML.replace("TestMix,", "TestMixMiswired,"));
        ModelGraph g =
                GraphBuilder.build(
                        ModelDefinition.read(file),
                        "n",
                        null,
                        ModuleRegistry.standard().with(new TestMixMiswired()));
        ChannelSpaces cs = ChannelSpaces.of(g);
        assertEquals(1, cs.notes().size());
        assertTrue(
                cs.notes().get(0).contains("inconsistent")
                        && cs.notes().get(0).contains("reads 64 channels, has 32"),
                cs.notes().get(0));
        assertFalse(cs.byName("5").prunable());
        try (YoloModel original = PruneFixtures.model(g, 2, false);
                NDManager m = NDManager.newBaseManager()) {
            PruneResult r = Pruner.prune(original, PruneConfig.of(Method.L1, 0.6).withGuards(4, 1));
            try (YoloModel pruned = r.model()) {
                assertTrue(pruned.graph().parameterCount() < g.parameterCount());
                assertEquals(g.layers().get(6).convs(), pruned.graph().layers().get(6).convs());
                assertEquals(
                        new Shape(1, 6, 84),
                        pruned.predict(m.randomUniform(0f, 1f, new Shape(1, 3, 64, 64)))
                                .getShape());
            }
        }
    }

    @Test
    void concatInputColumnsAreCopiedFromTheirMappedPositions() {
        ModelGraph g = PruneFixtures.graph("yolov8");
        try (YoloModel original = PruneFixtures.model(g, 4, false)) {
            Map<String, Tensor> sd = original.stateDict();
            PrunePlan plan = Ranking.of(g, sd, PruneConfig.of(Method.L1, 0)).plan(0.5);
            ChannelSpaces cs = plan.spaces();
            int[] rows =
                    WeightTransfer.positions(
                            cs, cs.layers().get(12).convs().get("cv1").out(), plan.kept());
            int[] cols =
                    WeightTransfer.positions(
                            cs, cs.layers().get(12).convs().get("cv1").in(), plan.kept());
            Tensor before = sd.get("model.12.cv1.conv.weight");
            try (YoloModel pruned = Pruner.build(plan, sd, original.device())) {
                Tensor after = pruned.stateDict().get("model.12.cv1.conv.weight");
                assertArrayEquals(new long[] {rows.length, cols.length, 1, 1}, after.shape());
                int in = (int) before.shape()[1];
                for (int o = 0; o < rows.length; o += 7) {
                    for (int i = 0; i < cols.length; i += 5) {
                        assertEquals(
                                before.data()[rows[o] * in + cols[i]],
                                after.data()[o * cols.length + i]);
                    }
                }
                float[] g0 = sd.get("model.12.cv1.bn.running_var").data();
                float[] g1 = pruned.stateDict().get("model.12.cv1.bn.running_var").data();
                for (int o = 0; o < rows.length; o++) {
                    assertEquals(g0[rows[o]], g1[o]);
                }
            }
        }
    }
}
