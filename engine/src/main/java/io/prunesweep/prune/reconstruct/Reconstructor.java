package io.prunesweep.prune.reconstruct;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.YoloModel;
import io.prunesweep.model.nn.ConvTap;
import io.prunesweep.prune.PrunePlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Feature-map reconstruction after pruning (He et al. 2017, "Channel Pruning for Accelerating Very
 * Deep Neural Networks"; Luo et al. 2017, ThiNet): each conv that lost input channels is re-fitted
 * by linear least squares so that its output before BatchNorm, on calibration images, matches the
 * original network's at the same point.
 *
 * <p>Convs are solved one at a time in the order the forward runs them. The inputs are the
 * <em>pruned</em> network's features, with every earlier re-fit already applied, so a fit also
 * absorbs the error left upstream; the targets are the <em>original</em> network's pre-BN outputs
 * at the kept output channels. Each fit samples a few spatial positions per image ({@link
 * ReconstructSettings}), accumulates {@code XᵀX}/{@code XᵀY} ({@link NormalEquations}) and solves
 * with a ridge towards the un-refitted weights. A fitted intercept goes into the BatchNorm's
 * running mean (or the conv's bias for a plain conv), so a shift left by the removed channels is
 * also restored. Memory is one batch's activations plus {@code d²} per fit, whatever the number of
 * images.
 *
 * <p>Each fit runs both networks forward over the calibration images, stopping each pass at the
 * conv in question.
 */
public final class Reconstructor {
    private Reconstructor() {}

    /**
     * Re-fits the consumers of every pruned space ({@link RefitConv#consumers}) of {@code pruned},
     * in place.
     */
    public static ReconstructReport reconstruct(
            YoloModel original,
            YoloModel pruned,
            PrunePlan plan,
            CalibrationImages images,
            ReconstructSettings settings) {
        return reconstruct(original, pruned, RefitConv.consumers(plan), images, settings);
    }

    /** Re-fits the given convs of {@code pruned} in place, against {@code original}. */
    public static ReconstructReport reconstruct(
            YoloModel original,
            YoloModel pruned,
            List<RefitConv> convs,
            CalibrationImages images,
            ReconstructSettings settings) {
        settings.validate();
        long t0 = System.nanoTime();
        List<RefitConv> order = executionOrder(pruned, convs, images);
        List<ReconstructReport.LayerFit> fits = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            fits.add(refit(original, pruned, order.get(i), i, images, settings));
        }
        return new ReconstructReport(images.images(), fits, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Sorts by the position of each conv's first call in a forward of the pruned network on one
     * image.
     */
    static List<RefitConv> executionOrder(
            YoloModel pruned, List<RefitConv> convs, CalibrationImages images) {
        Map<String, Integer> seen = new HashMap<>();
        long[] s = images.shapes().get(0);
        long[] one = {1, s[1], s[2], s[3]};
        float[] first =
                java.util.Arrays.copyOf(images.batches().get(0), (int) (s[1] * s[2] * s[3]));
        forward(
                pruned,
                first,
                one,
                (layer, path, in, pre) -> seen.putIfAbsent(layer + "/" + path, seen.size()));
        List<RefitConv> out = new ArrayList<>(convs);
        out.sort(
                Comparator.comparingInt(
                        c -> seen.getOrDefault(c.layer() + "/" + c.path(), Integer.MAX_VALUE)));
        return out;
    }

    private static ReconstructReport.LayerFit refit(
            YoloModel original,
            YoloModel pruned,
            RefitConv conv,
            int index,
            CalibrationImages images,
            ReconstructSettings settings) {
        Layer layer = pruned.graph().layers().get(conv.layer());
        ConvSpec spec = layer.conv(conv.path());
        boolean intercept = spec.bn() || spec.bias();
        int k = spec.kernel();
        int d = spec.in() * k * k + (intercept ? 1 : 0);
        int m = conv.keptOutputs().length;
        if (m != spec.out()) {
            throw new IllegalStateException(
                    "conv "
                            + conv.name()
                            + " keeps "
                            + m
                            + " outputs but the pruned conv has "
                            + spec.out());
        }
        long rows = Math.min(settings.maxRows(), (long) settings.rowsPerUnknown() * d);
        int perImage = (int) Math.max(1, Math.ceil((double) rows / images.images()));
        ConvWeights w = ConvWeights.read(pruned, layer, conv.path());
        try (NormalEquations eq =
                new NormalEquations(pruned.manager(), w.asRows(intercept), d, m)) {
            for (int b = 0; b < images.batches().size(); b++) {
                float[] data = images.batches().get(b);
                long[] shape = images.shapes().get(b);
                Capture target = capture(original, data, shape, conv, false);
                SplittableRandom random =
                        new SplittableRandom(
                                settings.seed() * 0x9E3779B97F4A7C15L + index * 1_000_003L + b);
                int[] pos =
                        Patches.positions(
                                (int) shape[0],
                                (int) target.shape[2],
                                (int) target.shape[3],
                                perImage,
                                random);
                float[] y = Patches.targets(target.values, target.shape, conv.keptOutputs(), pos);
                Capture input = capture(pruned, data, shape, conv, true);
                float[] x = Patches.rows(input.values, input.shape, spec, pos, intercept);
                eq.add(x, y, pos.length / 3);
            }
            NormalEquations.Solution sol = eq.solve(settings.ridge());
            w.write(pruned, sol.w(), intercept);
            return new ReconstructReport.LayerFit(
                    conv.name(), eq.rows(), d, eq.sumSquares(), sol.priorError(), sol.fitError());
        }
    }

    /** One conv's input ({@code wantInput}) or pre-BN output, copied to the host. */
    private record Capture(float[] values, long[] shape) {}

    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    private static Capture capture(
            YoloModel model, float[] data, long[] shape, RefitConv conv, boolean wantInput) {
        Capture[] got = new Capture[1];
        try {
            forward(
                    model,
                    data,
                    shape,
                    (layer, path, in, pre) -> {
                        if (layer != conv.layer() || !path.equals(conv.path())) {
                            return;
                        }
                        NDArray a = wantInput ? in : pre;
                        got[0] = new Capture(a.toFloatArray(), a.getShape().getShape());
                        throw new Stop(); // the rest of the network is not needed for this conv
                    });
        } catch (Stop done) {
            // captured
        }
        if (got[0] == null) {
            throw new IllegalStateException(
                    "conv " + conv.name() + " never ran in the forward pass");
        }
        return got[0];
    }

    private static void forward(YoloModel model, float[] data, long[] shape, ConvTap tap) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray img = scope.create(data, new Shape(shape));
            model.network().setConvTap(tap);
            model.network().forwardRaw(new ParameterStore(scope, false), img, false);
        } finally {
            model.network().setConvTap(null);
        }
    }
}
