package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.InputException;
import io.prunesweep.cli.CliRun;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extension point of issue 17: a criterion is one class plus one registration, and then the
 * CLI, its help, the config validation and the pruner all know it, with no other edit.
 */
class CustomCriterionTest {

    /**
     * The toy criterion: later channels matter more, so pruning removes the first channels of every
     * space.
     */
    static final class ChannelIndexImportance implements Importance {
        @Override
        public double[][] scores(ChannelSpaces spaces, Map<String, Tensor> stateDict, long seed) {
            double[][] out = new double[spaces.spaces().size()][];
            for (Space s : spaces.prunable()) {
                out[s.id()] = IntStream.range(0, s.width()).asDoubleStream().toArray();
            }
            return out;
        }
    }

    static final Method TOY =
            ImportanceRegistry.register(
                    "toy-index", "channel index (a test criterion)", new ChannelIndexImportance());

    @Test
    void aRegisteredCriterionIsParsedListedAndValidated() {
        assertSame(TOY, Method.parse("TOY-INDEX"));
        assertTrue(
                ImportanceRegistry.ids()
                        .containsAll(java.util.List.of("bn", "l1", "l2", "random", "toy-index")));
        assertEquals(
                java.util.List.of("bn", "l1", "l2", "random"),
                ImportanceRegistry.ids().subList(0, 4),
                "built-ins keep their order (the report's colours)");
        InputException unknown = assertThrows(InputException.class, () -> Method.parse("taylor"));
        assertTrue(unknown.getMessage().contains("toy-index"), unknown.getMessage());
        InputException none =
                assertThrows(InputException.class, () -> PruneConfig.of(null, 0.3).validate());
        assertTrue(none.getMessage().contains("toy-index"), none.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> ImportanceRegistry.register("bn", "another bn", TOY.importance()));
    }

    @Test
    void theHelpListsItWithItsSummary() {
        CliRun help = CliRun.of("prune", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(
                help.out()
                        .replaceAll("\\s+", " ")
                        .contains("criterion: bn, l1, l2, random, unstructured, toy-index"),
                help.out());
        assertTrue(
                help.out()
                        .lines()
                        .anyMatch(
                                l ->
                                        l.matches(
                                                "\\s+toy-index\\s+channel index \\(a test criterion\\)")),
                help.out());
    }

    @Test
    void thePrunerUsesIt() {
        ModelGraph g = PruneFixtures.graph("yolov8");
        try (YoloModel model = PruneFixtures.model(g, 5, false)) {
            PrunePlan plan =
                    Ranking.of(
                                    g,
                                    model.stateDict(),
                                    PruneConfig.of(TOY, 0)
                                            .withScope(Scope.LOCAL)
                                            .withSplitParity(false)
                                            .withGuards(1, 1))
                            .plan(0.5);
            int checked = 0;
            for (Space s : plan.spaces().prunable()) {
                int w = s.width();
                int keep = w - (int) Math.floor(0.5 * w);
                assertArrayEquals(
                        IntStream.range(w - keep, w).toArray(), plan.kept()[s.id()], s.name());
                checked++;
            }
            assertTrue(checked > 50, "every prunable space of YOLOv8n: " + checked);
        }
    }

    @Test
    void theCliPrunesWithIt(@TempDir Path dir) throws Exception {
        CliRun r =
                CliRun.of(
                        "prune",
                        "--model",
                        "yolov8",
                        "--scale",
                        "n",
                        "--nc",
                        "2",
                        "--method",
                        "toy-index",
                        "--ratio",
                        "0.3",
                        "--imgsz",
                        "64",
                        "--out",
                        dir.toString(),
                        "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"method\" : \"toy-index\""), r.out());
        assertTrue(Files.size(dir.resolve("pruned.safetensors")) > 0);
    }
}
