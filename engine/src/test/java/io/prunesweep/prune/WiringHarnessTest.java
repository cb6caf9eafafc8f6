package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.Layer;
import io.prunesweep.model.LayerContext;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.ModuleRegistry;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import io.prunesweep.model.nn.Ops;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wiring harness on every registered module type: the bundled families plus one YAML with the
 * types they do not use cover {@link ModuleRegistry#standard()} (a new built-in without a graph
 * here fails the coverage check), and a user module whose wiring disagrees with its forward fails
 * the harness.
 */
class WiringHarnessTest {
    static final List<String> FAMILIES =
            List.of("yolov8", "yolo11", "yolov5u", "yolov5", "yolov10", "yolov8-mca");

    /**
     * The module types the bundled families do not use: DWConv, Bottleneck, C3k as layers, C2PSA
     * with 2 blocks.
     */
    static final String OTHER_MODULES =
            """
            nc: 2
            scales:
              n: [1.0, 0.25, 1024]
            backbone:
              - [-1, 1, Conv, [64, 3, 2]]
              - [-1, 1, DWConv, [64, 3, 2]]
              - [-1, 1, Bottleneck, [64, True]]
              - [-1, 2, C3k, [128, True]]
              - [-1, 1, Conv, [256, 3, 2]]
              - [-1, 1, C3, [256, False]]
              - [-1, 1, Conv, [512, 3, 2]]
              - [-1, 1, SPPF, [512, 5]]
              - [-1, 2, C2PSA, [512]]
            head:
              - [-1, 1, nn.Upsample, [None, 2, 'nearest']]
              - [[-1, 5], 1, Concat, [1]]
              - [-1, 1, C2f, [128, True]]
              - [[3, 11, 8], 1, Detect, [nc]]
            """;

    @Test
    void everyRegisteredModuleTypeAgreesWithItsForward(@TempDir Path dir) throws IOException {
        Set<String> covered = new TreeSet<>();
        StringBuilder failures = new StringBuilder();
        for (String family : FAMILIES) {
            check(
                    GraphBuilder.build(ModelDefinition.bundled(family), "n", 2),
                    family,
                    covered,
                    failures);
        }
        Path other = Files.writeString(dir.resolve("other-modules.yaml"), OTHER_MODULES);
        check(
                GraphBuilder.build(ModelDefinition.read(other), "n", null),
                "other-modules",
                covered,
                failures);
        assertEquals("", failures.toString());
        Set<String> registered =
                ModuleRegistry.standard().types().stream()
                        .map(t -> t.getClass().getSimpleName() + t.names())
                        .collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(registered);
        missing.removeAll(covered);
        assertEquals(
                Set.of(),
                missing,
                "registered module types no graph here uses: add them to a YAML of this test");
    }

    private static void check(
            ModelGraph g, String name, Set<String> covered, StringBuilder failures) {
        WiringHarness.Result r = WiringHarness.check(g, 3);
        if (!r.passed()) {
            failures.append(name).append(": ").append(r.problems()).append('\n');
        }
        assertTrue(r.spacesExact() > 5, name + ": " + r);
        if (name.contains("mca")) {
            assertTrue(r.spacesRunOnly() > 0, "MCA's spaces are checked by running: " + r);
        }
        for (Layer l : g.layers()) {
            ModuleType t = g.type(l);
            covered.add(t.getClass().getSimpleName() + t.names());
        }
    }

    /**
     * A user module: conv of [in1 | in0] (inputs swapped), then BN+SiLU; both inputs of equal
     * width.
     */
    static final class SwapCat implements ModuleType {
        private final boolean declaredInOrder;

        SwapCat(boolean declaredInOrder) {
            this.declaredInOrder = declaredInOrder;
        }

        @Override
        public List<String> names() {
            return List.of(declaredInOrder ? "WrongSwapCat" : "SwapCat");
        }

        @Override
        public Layer define(LayerContext ctx) {
            int c2 = ctx.intArg(0, ctx.c1());
            int in = ctx.inChannels()[0] + ctx.inChannels()[1];
            Map<String, ConvSpec> convs = new LinkedHashMap<>();
            convs.put("mix", ConvSpec.conv(in, c2, 1, 1));
            return new Layer(
                    ctx.index(),
                    ctx.from(),
                    names().get(0),
                    convs,
                    Map.of(),
                    ctx.inChannels(),
                    c2,
                    ctx.inStrides()[0]);
        }

        @Override
        public NDList forward(Layer layer, LayerForward f, NDList in) {
            return new NDList(f.conv("mix", Ops.concat(in.get(1), in.get(0))));
        }

        /** The right declaration reads in1 then in0; the wrong one says in0 then in1. */
        @Override
        public Wiring wiring(Layer layer) {
            Wiring w = Wiring.of(layer);
            w =
                    declaredInOrder
                            ? w.conv("mix", Wiring.in(0), Wiring.in(1))
                            : w.conv("mix", Wiring.in(1), Wiring.in(0));
            return w.output("mix");
        }
    }

    static final String USER_YAML =
            """
            nc: 2
            scales:
              n: [1.0, 1.0, 1024]
            backbone:
              - [-1, 1, Conv, [16, 3, 2]]          # 0
              - [-1, 1, Conv, [32, 3, 2]]          # 1
              - [-1, 1, Conv, [32, 1, 1]]          # 2
              - [[1, 2], 1, MODULE, [32]]          # 3
              - [-1, 1, Conv, [64, 3, 2]]          # 4
              - [-1, 1, Conv, [64, 3, 2]]          # 5
            head:
              - [[3, 4, 5], 1, Detect, [nc]]
            """;

    @Test
    void aUserModuleWithTheRightWiringPassesAndAWrongOneFails(@TempDir Path dir)
            throws IOException {
        ModuleRegistry modules =
                ModuleRegistry.standard().with(new SwapCat(false), new SwapCat(true));
        Path right =
                Files.writeString(
                        dir.resolve("right.yaml"), USER_YAML.replace("MODULE", "SwapCat"));
        WiringHarness.Result ok =
                WiringHarness.check(
                        GraphBuilder.build(ModelDefinition.read(right), "n", null, modules), 1);
        assertTrue(ok.passed(), ok.toString());
        assertTrue(ok.maxAbsDifference() < 1e-4, ok.toString());

        Path wrong =
                Files.writeString(
                        dir.resolve("wrong.yaml"), USER_YAML.replace("MODULE", "WrongSwapCat"));
        WiringHarness.Result bad =
                WiringHarness.check(
                        GraphBuilder.build(ModelDefinition.read(wrong), "n", null, modules), 1);
        assertFalse(
                bad.passed(),
                "the widths fit, so only the harness sees that the channels are crossed: " + bad);
        assertTrue(
                bad.problems().stream()
                        .anyMatch(p -> p.contains("wiring does not match its forward")),
                bad.toString());
    }
}
