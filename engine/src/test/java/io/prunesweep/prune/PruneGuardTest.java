package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prunesweep.InputException;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PruneGuardTest {
    static ModelGraph g;
    static YoloModel model;
    static Map<String, Tensor> sd;

    @BeforeAll
    static void setUp() {
        g = PruneFixtures.graph("yolov8");
        model = PruneFixtures.model(g, 3, true);
        sd = model.stateDict();
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    private static PrunePlan plan(PruneConfig cfg, double r) {
        return Ranking.of(g, sd, cfg).plan(r);
    }

    @Test
    void minChannelsRespectedAndNeverZero() {
        for (int min : new int[] {1, 8, 12}) {
            for (Scope scope : Scope.values()) {
                PrunePlan p =
                        plan(
                                PruneConfig.of(Method.BN, 0).withScope(scope).withGuards(min, 1),
                                0.99);
                for (Space s : p.spaces().prunable()) {
                    int k = p.kept()[s.id()].length;
                    int guard = Math.min(min, s.width());
                    assertTrue(
                            k >= 1 && k >= guard, s.name() + " kept " + k + " (min " + min + ")");
                    // global: 59 spaces x the guard hold back more than 1% of the channels, so all
                    // sit at the guard
                    int expected =
                            scope == Scope.GLOBAL
                                    ? guard
                                    : Math.max(
                                            guard,
                                            s.width() - (int) Math.floor(0.99 * s.width() + 1e-9));
                    assertEquals(expected, k, s.name() + " at 0.99 " + scope + " min " + min);
                }
            }
        }
    }

    @Test
    void widthsRoundedToMultipleWithinGuard() {
        PrunePlan p =
                plan(PruneConfig.of(Method.L1, 0).withScope(Scope.LOCAL).withGuards(8, 8), 0.45);
        int pruned = 0;
        for (Space s : p.spaces().prunable()) {
            int k = p.kept()[s.id()].length;
            if (k == s.width()) {
                continue;
            }
            pruned++;
            assertEquals(0, k % 8, s.name() + " kept " + k);
            assertTrue(k >= 8 && k <= s.width());
            // nearest multiple of 8 to the unrounded local width
            int raw = s.width() - (int) Math.floor(0.45 * s.width() + 1e-9);
            assertTrue(
                    Math.abs(k - raw) <= 4 || k == 8, s.name() + ": " + raw + " rounded to " + k);
        }
        assertTrue(pruned > 20);
        // min_channels 8 with round_to 16: the smallest valid width is 16
        PrunePlan q = plan(PruneConfig.of(Method.BN, 0).withGuards(8, 16), 0.99);
        for (Space s : q.spaces().prunable()) {
            int k = q.kept()[s.id()].length;
            assertTrue(k == s.width() || k == 16, s.name() + " kept " + k);
        }
    }

    @Test
    void roundKeepIsMonotoneAndKeepsGuard() {
        assertEquals(16, ChannelSelector.roundKeep(13, 8, 64, 8));
        assertEquals(8, ChannelSelector.roundKeep(11, 8, 64, 8));
        assertEquals(8, ChannelSelector.roundKeep(2, 8, 64, 8));
        assertEquals(16, ChannelSelector.roundKeep(3, 9, 64, 8));
        assertEquals(56, ChannelSelector.roundKeep(62, 8, 60, 8), "never above the width");
        assertEquals(
                9,
                ChannelSelector.roundKeep(5, 9, 12, 8),
                "no multiple of 8 in [9, 12]: unrounded");
        int last = 0;
        for (int k = 1; k < 60; k++) {
            int r = ChannelSelector.roundKeep(k, 8, 60, 8);
            assertTrue(r >= last);
            last = r;
        }
    }

    @Test
    void allZeroGammaLayerKeepsGuardInsteadOfDying() {
        // Network Slimming's global threshold on a layer whose gamma is all zero: it keeps
        // min_channels, no crash
        ChannelSpaces cs = ChannelSpaces.of(g);
        Space dead = cs.byName("7");
        assertNotNull(dead);
        Map<String, Tensor> sd2;
        try (YoloModel healthy = PruneFixtures.model(g, 3, false)) {
            sd2 = new java.util.HashMap<>(healthy.stateDict());
        }
        int n = sd2.get("model.7.bn.weight").data().length;
        sd2.put("model.7.bn.weight", Tensor.f32(new long[] {n}, new float[n]));
        PrunePlan p = Ranking.of(g, sd2, PruneConfig.of(Method.BN, 0)).plan(0.3);
        assertEquals(8, p.kept()[dead.id()].length);
        assertArrayEquals(
                new int[] {0, 1, 2, 3, 4, 5, 6, 7},
                p.kept()[dead.id()],
                "ties keep the lowest indices");
    }

    @Test
    void tiedScoresArePrunedEvenlyAcrossSpaces() {
        // an untrained model has gamma = 1 everywhere: global bn must not strip the first layers to
        // their guard
        try (YoloModel fresh = YoloModel.create(g, 0, ai.djl.Device.cpu())) {
            Map<String, Tensor> w = fresh.stateDict();
            PrunePlan global = Ranking.of(g, w, PruneConfig.of(Method.BN, 0)).plan(0.5);
            PrunePlan local =
                    Ranking.of(g, w, PruneConfig.of(Method.BN, 0).withScope(Scope.LOCAL)).plan(0.5);
            for (Space s : global.spaces().prunable()) {
                int a = global.kept()[s.id()].length;
                int b = local.kept()[s.id()].length;
                assertTrue(Math.abs(a - b) <= 1, s.name() + ": global " + a + " vs local " + b);
            }
        }
    }

    @Test
    void degenerateScoresAreFinite() {
        double[][] s = Method.BN.importance().scores(ChannelSpaces.of(g), sd, 0);
        for (double[] v : s) {
            if (v == null) {
                continue;
            }
            for (double x : v) {
                assertTrue(Double.isFinite(x) && x >= 0);
            }
        }
        double[][] l2 = Method.L2.importance().scores(ChannelSpaces.of(g), sd, 0);
        for (double[] v : l2) {
            if (v == null) {
                continue;
            }
            double mean = Arrays.stream(v).average().orElse(0);
            assertEquals(1.0, mean, 1e-9, "l2 scores are normalised to mean 1 per space");
        }
    }

    @Test
    void overridesExcludeAndSetRatios(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("ov.yaml");
        Files.writeString(yaml, "6: exclude\n'4.cv2': 0.5\n21: 0.0\n");
        Overrides ov = Overrides.read(yaml);
        PrunePlan p = plan(PruneConfig.of(Method.BN, 0).withOverrides(ov), 0.6);
        for (Space s : p.spaces().prunable()) {
            int k = p.kept()[s.id()].length;
            if (s.ownerLayer() == 6 || s.ownerLayer() == 21) {
                assertEquals(s.width(), k, s.name() + " excluded");
            }
            if (s.name().equals("4.cv2")) {
                assertEquals(s.width() / 2, k);
            }
        }
        Files.writeString(yaml, "99: 0.5\n");
        InputException e =
                assertThrows(
                        InputException.class,
                        () ->
                                plan(
                                        PruneConfig.of(Method.BN, 0)
                                                .withOverrides(Overrides.read(yaml)),
                                        0.3));
        assertTrue(
                e.getMessage().contains("'99'") && e.getMessage().contains("ov.yaml"),
                e.getMessage());
        Files.writeString(yaml, "4: 1.5\n");
        e = assertThrows(InputException.class, () -> Overrides.read(yaml));
        assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
    }

    @Test
    void splitParityKeepsHalvesEqualOnlyWhenAsked() {
        ChannelSpaces cs = ChannelSpaces.of(g);
        assertEquals(8, cs.parityPairs().size(), "one pair per C2f");
        boolean differs = false;
        for (boolean parity : new boolean[] {true, false}) {
            PrunePlan p = plan(PruneConfig.of(Method.BN, 0).withSplitParity(parity), 0.5);
            for (int[] pair : cs.parityPairs()) {
                int a = p.kept()[pair[0]].length;
                int b = p.kept()[pair[1]].length;
                if (parity) {
                    assertEquals(a, b);
                } else {
                    differs |= a != b;
                }
                int layer = cs.space(pair[0]).ownerLayer();
                assertEquals(List.of(a, b), p.pruned().layers().get(layer).attrs().get("split"));
            }
        }
        assertTrue(differs, "independent halves differ somewhere");
    }

    @Test
    void targetSearchReachesParamsAndGflops() {
        for (boolean flops : new boolean[] {true, false}) {
            PruneConfig cfg =
                    PruneConfig.of(Method.L2, 0)
                            .withTargets(flops ? 0.5 : null, flops ? null : 0.4);
            PruneResult r = Pruner.prune(model, cfg);
            try (YoloModel pruned = r.model()) {
                double frac =
                        flops
                                ? r.after().gflops(640) / g.gflops(640)
                                : (double) r.after().parameterCount() / g.parameterCount();
                double goal = flops ? 0.5 : 0.4;
                assertTrue(frac <= goal && frac > goal - 0.03, "reached " + frac + " for " + goal);
                assertTrue(r.ratio() > 0 && r.ratio() < 1);
            }
        }
        PruneResult r = Pruner.prune(model, PruneConfig.of(Method.BN, 0).withTargets(null, 0.001));
        r.model().close();
        assertNotNull(r.targetNote(), "an unreachable target is reported");
    }

    @Test
    void iterativeStepsCallTheHookAndReachTheRatio() {
        List<Integer> calls = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        PruneConfig cfg = PruneConfig.of(Method.BN, 0.5).withSteps(3);
        PruneResult r =
                Pruner.prune(
                        model,
                        cfg,
                        (step, steps, pruned) -> {
                            calls.add(step);
                            sizes.add(pruned.graph().parameterCount());
                            return pruned;
                        });
        try (YoloModel pruned = r.model();
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(List.of(1, 2, 3), calls);
            assertTrue(
                    sizes.get(0) > sizes.get(1) && sizes.get(1) > sizes.get(2), sizes.toString());
            int[] ch = r.plans().get(0).prunableChannels();
            int after = r.plans().get(2).prunableChannels()[1];
            assertEquals(
                    0.5 * ch[0],
                    ch[0] - after,
                    0.02 * ch[0],
                    "cumulative ratio relative to the original");
            assertEquals(
                    new Shape(1, 6, 84),
                    pruned.predict(m.randomUniform(0f, 1f, new Shape(1, 3, 64, 64))).getShape());
        }
    }

    @Test
    void badConfigGivesOneClearMessage() {
        assertMessage(
                "--ratio 1.0 is outside [0, 1)", () -> PruneConfig.of(Method.BN, 1.0).validate());
        assertMessage("--ratio -0.1 is outside", () -> PruneConfig.of(Method.BN, -0.1).validate());
        assertMessage("unknown pruning method 'foo'", () -> Method.parse("foo"));
        assertMessage("unknown pruning scope 'wide'", () -> Scope.parse("wide"));
        assertMessage(
                "not both",
                () ->
                        new PruneConfig(
                                        Method.BN,
                                        Scope.GLOBAL,
                                        0.3,
                                        0.5,
                                        null,
                                        8,
                                        1,
                                        null,
                                        1,
                                        0,
                                        true,
                                        640)
                                .validate());
        assertMessage(
                "(0, 1]", () -> PruneConfig.of(Method.BN, 0).withTargets(1.5, null).validate());
        assertMessage(
                "--min-channels 0",
                () -> PruneConfig.of(Method.BN, 0.2).withGuards(0, 1).validate());
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable ex) {
        InputException e = assertThrows(InputException.class, ex);
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    private static void assertArrayEquals(int[] a, int[] b, String msg) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, msg);
    }
}
