package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import io.prunesweep.TrainedFixture;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.model.YoloModel;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link PruneEquivalenceTest} on the trained YOLOv8n fixture with the sweep's pruning settings
 * (split parity on, min_channels 8, round_to 8 as in the quickstart and round_to 1 as in the sweep
 * defaults), on real images of the dataset it was trained on: the rebuilt network must compute what
 * the original computes with the removed channels silenced (γ = β = 0). A freshly initialised
 * network with uniform BN statistics hid wrong convolutions of pruned widths (its outputs barely
 * depend on its convs); the trained one detects objects with confidence, so an error anywhere in a
 * pruned conv reaches the head.
 */
class TrainedPruneEquivalenceTest {
    static final int BATCH = 4;

    /*
     * Tolerances. Both networks compute the same sums of products in float32, only in another order (the pruned one
     * has fewer, differently blocked channels), so they differ by rounding alone. Measured on this machine over the
     * 16 cases below (the test prints its figures): raw maps at most 4.8e-6 absolute against max |value| 6-14
     * (3.4e-7 relative), decoded boxes at most 1.2e-4 px, class scores at most 1.3e-7. The tolerances leave a margin
     * of 15-75x for other CPUs' blocking and are still more than 1000x below what the faulty AVX-512 kernels did:
     * absolute errors of 0.5-1.9 in a conv's output, scores off by 1e-2 and boxes by 7 px after export, and NaN.
     */
    /**
     * Raw head maps (box DFL and class logits): max abs difference relative to the level's max
     * |value|.
     */
    static final double RAW_REL_TOL = 1e-5;

    /** Decoded class scores (probabilities in [0, 1]), absolute. */
    static final double SCORE_TOL = 1e-5;

    /** Decoded xywh boxes in pixels of the 128 px input, absolute (1.6e-5 of the image side). */
    static final double BOX_TOL_PX = 2e-3;

    /**
     * ultralytics' default confidence threshold for predictions: each input image must have a
     * detection above it.
     */
    static final float CONF = 0.25f;

    static NDManager manager;
    static NDArray images;

    @BeforeAll
    static void images() {
        manager = NDManager.newBaseManager();
        images = TrainedFixture.shapesBatch(manager, BATCH);
        // the inputs are what the model was trained for: it finds an object in every image (best
        // class scores measured
        // 0.43, 0.28, 0.28, 0.39: this is a 15-epoch model with mAP50 0.46)
        try (YoloModel dense = TrainedFixture.loadDense();
                NDManager m = manager.newSubManager()) {
            NDArray x = images.duplicate();
            x.attach(m);
            NDArray y = dense.predict(x);
            float[] best =
                    y.get(new NDIndex(":, 4:, :"))
                            .max(new int[] {2})
                            .max(new int[] {1})
                            .toFloatArray();
            System.out.println(
                    "TrainedPruneEquivalenceTest: best class score per image "
                            + java.util.Arrays.toString(best));
            for (int i = 0; i < BATCH; i++) {
                assertTrue(
                        best[i] > CONF,
                        "image " + i + ": the trained model's best class score is only " + best[i]);
            }
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @ParameterizedTest(name = "{0} ratio {1} round_to {2} {3}")
    @CsvSource({
        "bn,0.2,8,global",
        "bn,0.4,8,global",
        "bn,0.6,8,global",
        "l1,0.2,8,global",
        "l1,0.4,8,global",
        "l1,0.6,8,global",
        "l2,0.2,8,global",
        "l2,0.4,8,global",
        "l2,0.6,8,global",
        "random,0.2,8,global",
        "random,0.4,8,global",
        "random,0.6,8,global",
        "bn,0.2,1,global",
        "l1,0.4,1,global",
        "l2,0.6,1,local",
        "random,0.4,1,local"
    })
    void prunedTrainedModelComputesTheSilencedOriginal(
            String method, double ratio, int roundTo, String scope) {
        // what the sweep's prune stage runs (EngineStageExecutor.pruneConfig): split parity on,
        // seed 0
        PruneConfig cfg =
                new PruneConfig(
                        Method.parse(method),
                        Scope.parse(scope),
                        ratio,
                        null,
                        null,
                        8,
                        roundTo,
                        Overrides.NONE,
                        1,
                        0,
                        true,
                        TrainedFixture.IMGSZ);
        String where = method + " " + ratio + " round_to " + roundTo + " " + scope;
        try (YoloModel original = TrainedFixture.loadDense();
                NDManager m = manager.newSubManager()) {
            PruneResult result = Pruner.prune(original, cfg);
            try (YoloModel pruned = result.model()) {
                PrunePlan plan = result.plans().get(0);
                PrunePropertyTest.checkGuards(plan, 8, where);
                for (Space s : plan.spaces().prunable()) {
                    int k = plan.kept()[s.id()].length;
                    assertTrue(
                            k == s.width() || k % roundTo == 0,
                            where + ": " + s.name() + " kept " + k);
                }
                assertTrue(
                        pruned.graph().parameterCount()
                                < (1 - ratio / 3) * original.graph().parameterCount(),
                        where + ": really pruned");
                List<String> proneConvs = TrainedFixture.faultProneConvs(pruned.graph());
                assertFalse(
                        proneConvs.isEmpty(),
                        where + ": no conv has the widths the faulty kernels got wrong");

                WiringHarness.silenceRemoved(original, plan);
                NDArray x = images.duplicate();
                x.attach(m);
                ParameterStore ps = new ParameterStore(m, false);
                NDList a = original.network().forwardRaw(ps, x, false);
                NDList b = pruned.network().forwardRaw(ps, x, false);
                assertEquals(a.size(), b.size(), where);
                StringBuilder report = new StringBuilder();
                for (int i = 0; i < a.size(); i++) {
                    assertEquals(a.get(i).getShape(), b.get(i).getShape(), where + " level " + i);
                    assertAllFinite(b.get(i), where + " level " + i + " raw map");
                    double scale = a.get(i).abs().max().getFloat();
                    double d = a.get(i).sub(b.get(i)).abs().max().getFloat();
                    report.append(
                            String.format(Locale.ROOT, " level %d %.2e of %.1f,", i, d, scale));
                    assertTrue(
                            d <= RAW_REL_TOL * scale,
                            where
                                    + " level "
                                    + i
                                    + ": raw max abs diff "
                                    + d
                                    + " against max |value| "
                                    + scale);
                }
                NDArray ya = original.predict(x);
                NDArray yb = pruned.predict(x);
                assertEquals(ya.getShape(), yb.getShape(), where);
                assertAllFinite(yb, where + " decoded output");
                double boxes =
                        ya.get(new NDIndex(":, :4, :"))
                                .sub(yb.get(new NDIndex(":, :4, :")))
                                .abs()
                                .max()
                                .getFloat();
                double scores =
                        ya.get(new NDIndex(":, 4:, :"))
                                .sub(yb.get(new NDIndex(":, 4:, :")))
                                .abs()
                                .max()
                                .getFloat();
                System.out.printf(
                        Locale.ROOT,
                        "TrainedPruneEquivalenceTest %s: params %d -> %d, %d fault-prone convs;%s"
                                + " boxes %.2e px, scores %.2e%n",
                        where,
                        original.graph().parameterCount(),
                        pruned.graph().parameterCount(),
                        proneConvs.size(),
                        report,
                        boxes,
                        scores);
                assertTrue(
                        boxes <= BOX_TOL_PX,
                        where + ": decoded boxes max abs diff " + boxes + " px");
                assertTrue(scores <= SCORE_TOL, where + ": decoded scores max abs diff " + scores);
            }
        }
    }

    static void assertAllFinite(NDArray a, String what) {
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new AssertionError(what + " has " + v[i] + " at flat index " + i);
            }
        }
    }
}
