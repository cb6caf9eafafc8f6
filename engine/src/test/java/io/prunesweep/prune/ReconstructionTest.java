package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.reconstruct.CalibrationImages;
import io.prunesweep.prune.reconstruct.ReconstructReport;
import io.prunesweep.prune.reconstruct.ReconstructSettings;
import io.prunesweep.prune.reconstruct.Reconstructor;
import io.prunesweep.prune.reconstruct.RefitConv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature-map reconstruction on a small graph with every coupling kind (a C2f split with a
 * residual, SPPF, an upsample + concat, a two-level Detect head): a re-fitted conv's pre-BN output
 * is closer to the original network's than the un-refitted one, the network's raw outputs move
 * towards the original's, and with nothing pruned the output error is exactly 0 (nothing to
 * re-fit), and a forced re-fit of every conv changes nothing beyond float rounding.
 */
class ReconstructionTest {
    static final String YAML =
            """
            nc: 2
            scales:
              n: [1.0, 1.0, 1024]
            backbone:
              - [-1, 1, Conv, [16, 3, 2]]     # 0  /2
              - [-1, 1, Conv, [32, 3, 2]]     # 1  /4
              - [-1, 1, C2f, [32, True]]      # 2
              - [-1, 1, Conv, [64, 3, 2]]     # 3  /8
              - [-1, 1, SPPF, [64, 5]]        # 4
              - [-1, 1, Conv, [64, 3, 2]]     # 5  /16
            head:
              - [-1, 1, nn.Upsample, [None, 2, "nearest"]]  # 6  /8
              - [[-1, 4], 1, Concat, [1]]     # 7
              - [-1, 1, C2f, [32]]            # 8
              - [[8, 5], 1, Detect, [nc]]     # 9
            """;

    static ModelGraph graph(Path dir) throws Exception {
        Path yaml = dir.resolve("small.yaml");
        Files.writeString(yaml, YAML);
        return GraphBuilder.build(ModelDefinition.read(yaml), null, null);
    }

    /**
     * Two batches of 4 smooth random images at 64 px (smooth so neighbouring pixels correlate, as
     * in photos).
     */
    static CalibrationImages images(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> batches = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (int b = 0; b < 2; b++) {
            float[] px = new float[4 * 3 * 64 * 64];
            for (int p = 0; p < 4 * 3; p++) {
                double fx = 1 + r.nextDouble() * 6;
                double fy = 1 + r.nextDouble() * 6;
                double ph = r.nextDouble() * 6;
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        px[p * 4096 + y * 64 + x] =
                                (float)
                                        (0.5
                                                + 0.3
                                                        * Math.sin(fx * x / 64.0 * Math.PI + ph)
                                                        * Math.cos(fy * y / 64.0 * Math.PI)
                                                + 0.1 * r.nextDouble());
                    }
                }
            }
            batches.add(px);
            shapes.add(new long[] {4, 3, 64, 64});
        }
        return new CalibrationImages(batches, shapes);
    }

    @Test
    void refitLowersTheOutputErrorOfPrunedConsumers(@TempDir Path dir) throws Exception {
        ModelGraph g = graph(dir);
        CalibrationImages calib = images(3);
        try (YoloModel original = PruneFixtures.model(g, 5, false)) {
            PruneResult pr =
                    Pruner.prune(original, PruneConfig.of(Method.L1, 0.5).withGuards(4, 1));
            try (YoloModel pruned = pr.model()) {
                PrunePlan plan = pr.plans().get(0);
                List<RefitConv> convs = RefitConv.consumers(plan);
                List<String> names = convs.stream().map(RefitConv::name).toList();
                // consumers of pruned spaces: the C2f's inner convs and its cv2 (split halves +
                // bottleneck), SPPF's cv2
                // (its concat of cv1 and three poolings), the C2f after the concat, and Detect's
                // hidden and output convs
                assertTrue(
                        names.containsAll(
                                List.of(
                                        "1",
                                        "2.cv2",
                                        "2.m.0.cv1",
                                        "4.cv2",
                                        "8.cv1",
                                        "9.cv2.0.1",
                                        "9.cv2.0.2",
                                        "9.cv3.1.2")),
                        names.toString());
                assertFalse(
                        names.contains("0"), "the image is never pruned: layer 0 keeps its inputs");

                RefitConv first =
                        convs.stream().filter(c -> c.name().equals("1")).findFirst().orElseThrow();
                double before = convError(original, pruned, first, calib);
                double rawBefore = rawError(original, pruned, calib);
                List<int[]> told = new ArrayList<>();
                ReconstructReport report =
                        Reconstructor.reconstruct(
                                original,
                                pruned,
                                convs,
                                calib,
                                ReconstructSettings.defaults(),
                                (done, total, fit) -> told.add(new int[] {done, total}));
                double after = convError(original, pruned, first, calib);
                // the listener (a progress bar) hears of every conv once, in order, with the total
                assertEquals(convs.size(), told.size());
                for (int i = 0; i < told.size(); i++) {
                    assertEquals(i + 1, told.get(i)[0]);
                    assertEquals(convs.size(), told.get(i)[1]);
                }
                double rawAfter = rawError(original, pruned, calib);

                assertEquals(convs.size(), report.layers().size());
                for (ReconstructReport.LayerFit f : report.layers()) {
                    assertTrue(
                            f.errorAfter() <= f.errorBefore() * (1 + 1e-6) + 1e-9,
                            f.conv() + ": error " + f.errorBefore() + " -> " + f.errorAfter());
                }
                double[] mean = report.meanRelativeError();
                assertTrue(
                        mean[1] < 0.5 * mean[0],
                        "mean relative error " + mean[0] + " -> " + mean[1]);
                // measured independently on every position of every calibration image, not only the
                // sampled ones
                assertTrue(after < 0.7 * before, "conv 1 pre-BN error " + before + " -> " + after);
                assertTrue(
                        rawAfter < rawBefore,
                        "raw head output error " + rawBefore + " -> " + rawAfter);
                System.out.printf(
                        "refit: conv 1 %.4f -> %.4f, raw %.4f -> %.4f, %s%n",
                        before, after, rawBefore, rawAfter, report.summary());
            }
        }
    }

    @Test
    void withNothingPrunedARefitOfEveryConvChangesNothing(@TempDir Path dir) throws Exception {
        ModelGraph g = graph(dir);
        CalibrationImages calib = images(4);
        try (YoloModel original = PruneFixtures.model(g, 6, false)) {
            PruneResult pr = Pruner.prune(original, PruneConfig.of(Method.BN, 0.0));
            try (YoloModel pruned = pr.model()) {
                PrunePlan plan = pr.plans().get(0);
                assertTrue(
                        RefitConv.consumers(plan).isEmpty(),
                        "nothing pruned: no consumer to refit");
                // reconstruction as `prune --reconstruct` runs it: no conv lost an input, so
                // nothing is re-fitted and
                // the re-fitted network's output error is exactly 0, conv by conv and at the head
                ReconstructReport none =
                        Reconstructor.reconstruct(
                                original, pruned, plan, calib, ReconstructSettings.defaults());
                assertTrue(none.layers().isEmpty(), "nothing pruned: nothing re-fitted");
                for (RefitConv c : RefitConv.everyConv(plan)) {
                    assertEquals(
                            0.0,
                            convError(original, pruned, c, calib),
                            c.name() + " pre-BN output error");
                }
                assertEquals(0.0, rawError(original, pruned, calib), "raw head output error");
                List<RefitConv> every = RefitConv.everyConv(plan);
                assertTrue(every.size() > 20, "every conv: " + every.size());
                ReconstructReport report =
                        Reconstructor.reconstruct(
                                original,
                                pruned,
                                every,
                                calib,
                                ReconstructSettings.defaults(),
                                Reconstructor.Listener.NONE);
                // from the accumulated float32 statistics: zero up to their rounding
                for (ReconstructReport.LayerFit f : report.layers()) {
                    assertTrue(
                            f.relativeBefore() < 1e-6,
                            f.conv() + " un-refitted error " + f.relativeBefore());
                    assertTrue(
                            f.relativeAfter() < 1e-6,
                            f.conv() + " refitted error " + f.relativeAfter());
                }
                for (RefitConv c : every) {
                    double e = convError(original, pruned, c, calib);
                    assertTrue(e < 1e-9, c.name() + " relative error " + e);
                }
                double raw = rawError(original, pruned, calib);
                System.out.println("no-op refit: raw output relative squared error " + raw);
                assertTrue(raw < 1e-9, "raw output relative squared error " + raw);
            }
        }
    }

    /**
     * ‖pruned pre-BN output − original's at the kept channels‖² / ‖original's‖², over all
     * calibration images.
     */
    static double convError(
            YoloModel original, YoloModel pruned, RefitConv conv, CalibrationImages calib) {
        double err = 0;
        double norm = 0;
        for (int b = 0; b < calib.batches().size(); b++) {
            float[] y0 = preNorm(original, conv, calib.batches().get(b), calib.shapes().get(b));
            float[] y1 = preNorm(pruned, conv, calib.batches().get(b), calib.shapes().get(b));
            int[] keep = conv.keptOutputs();
            int cout0 = y0.length / (y1.length / keep.length);
            int plane = y1.length / keep.length / (int) calib.shapes().get(b)[0];
            int images = (int) calib.shapes().get(b)[0];
            for (int i = 0; i < images; i++) {
                for (int j = 0; j < keep.length; j++) {
                    for (int p = 0; p < plane; p++) {
                        double t = y0[(i * cout0 + keep[j]) * plane + p];
                        double v = y1[(i * keep.length + j) * plane + p];
                        err += (t - v) * (t - v);
                        norm += t * t;
                    }
                }
            }
        }
        return err / norm;
    }

    private static float[] preNorm(YoloModel model, RefitConv conv, float[] data, long[] shape) {
        float[][] got = new float[1][];
        try (NDManager scope = model.manager().newSubManager()) {
            model.network()
                    .setConvTap(
                            (layer, path, in, pre) -> {
                                if (layer == conv.layer()
                                        && path.equals(conv.path())
                                        && got[0] == null) {
                                    got[0] = pre.toFloatArray();
                                }
                            });
            model.network()
                    .forwardRaw(
                            new ParameterStore(scope, false),
                            scope.create(data, new Shape(shape)),
                            false);
        } finally {
            model.network().setConvTap(null);
        }
        return got[0];
    }

    /** Relative squared error of the raw head maps. */
    static double rawError(YoloModel original, YoloModel pruned, CalibrationImages calib) {
        double err = 0;
        double norm = 0;
        try (NDManager scope = NDManager.newBaseManager()) {
            for (int b = 0; b < calib.batches().size(); b++) {
                NDArray x = scope.create(calib.batches().get(b), new Shape(calib.shapes().get(b)));
                NDList a =
                        original.network().forwardRaw(new ParameterStore(scope, false), x, false);
                NDList p = pruned.network().forwardRaw(new ParameterStore(scope, false), x, false);
                for (int i = 0; i < a.size(); i++) {
                    err += a.get(i).sub(p.get(i)).square().sum().getFloat();
                    norm += a.get(i).square().sum().getFloat();
                }
            }
        }
        return err / norm;
    }
}
