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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * ReconstructSettings}), accumulates {@code XᵀX}/{@code XᵀR} ({@link NormalEquations}) and solves
 * with a ridge towards the un-refitted weights, chosen per conv on held-out calibration images. A
 * fitted intercept goes into the BatchNorm's running mean (or the conv's bias for a plain conv), so
 * a shift left by the removed channels is also restored.
 *
 * <p>Cost: the original network runs once per batch for a run of consecutive convs ({@link
 * SampledTargets}, as many as fit the target budget: all of them for small models); the pruned
 * network runs once per batch and conv, up to that conv. Memory is one batch's activations, the
 * sampled targets and {@code d²} per fit, whatever the number of images.
 */
public final class Reconstructor {
    private Reconstructor() {}

    /** Told after each conv is re-fitted (a progress bar). */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (done, total, fit) -> {};

        void onConv(int done, int total, ReconstructReport.LayerFit fit);
    }

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
        return reconstruct(
                original, pruned, RefitConv.consumers(plan), images, settings, Listener.NONE);
    }

    /**
     * Re-fits the given convs of {@code pruned} in place, against {@code original}, telling {@code
     * listener} after each.
     */
    public static ReconstructReport reconstruct(
            YoloModel original,
            YoloModel pruned,
            List<RefitConv> convs,
            CalibrationImages images,
            ReconstructSettings settings,
            Listener listener) {
        settings.validate();
        long t0 = System.nanoTime();
        List<RefitConv> order = executionOrder(pruned, convs, images);
        List<ReconstructReport.LayerFit> fits = new ArrayList<>();
        int index = 0;
        for (List<RefitConv> run : SampledTargets.runs(pruned, order, settings)) {
            SampledTargets targets = SampledTargets.capture(original, run, index, images, settings);
            for (RefitConv conv : run) {
                ReconstructReport.LayerFit fit =
                        refit(pruned, conv, targets.of(conv), images, settings);
                fits.add(fit);
                listener.onConv(++index, order.size(), fit);
            }
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
        float[] first = Arrays.copyOf(images.batches().get(0), (int) (s[1] * s[2] * s[3]));
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
            YoloModel pruned,
            RefitConv conv,
            List<SampledTargets.Sample> samples,
            CalibrationImages images,
            ReconstructSettings settings) {
        Layer layer = pruned.graph().layers().get(conv.layer());
        ConvSpec spec = layer.conv(conv.path());
        boolean intercept = spec.bn() || spec.bias();
        int d = SampledTargets.unknowns(spec);
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
        ConvWeights w = ConvWeights.read(pruned, layer, conv.path());
        double[] prior = w.asRows(intercept);
        try (NormalEquations eq = new NormalEquations(pruned.manager(), prior, d, m)) {
            for (int b = 0; b < images.batches().size(); b++) {
                SampledTargets.Sample s = samples.get(b);
                Input in = capture(pruned, images.batches().get(b), images.shapes().get(b), conv);
                eq.add(
                        Patches.rows(in.values(), in.shape(), spec, s.fitPositions(), intercept),
                        s.fitTargets(),
                        s.fitPositions().length / 3,
                        false);
                eq.add(
                        Patches.rows(in.values(), in.shape(), spec, s.heldPositions(), intercept),
                        s.heldTargets(),
                        s.heldPositions().length / 3,
                        true);
            }
            NormalEquations.Solution sol = eq.solve(settings.ridges());
            if (!Double.isNaN(sol.ridge())) {
                w.write(pruned, sol.w(), intercept);
            }
            int filters = (d - (intercept ? 1 : 0)) * m; // rows before the intercept's
            return new ReconstructReport.LayerFit(
                    conv.name(),
                    eq.rows(),
                    d,
                    sol.sumSquares(),
                    sol.priorError(),
                    sol.fitError(),
                    sol.heldOut(),
                    sol.ridge(),
                    norm(sol.w(), filters) / Math.max(norm(prior, filters), Double.MIN_NORMAL));
        }
    }

    private static double norm(double[] a, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i] * a[i];
        }
        return Math.sqrt(s);
    }

    /** A conv's input, copied to the host. */
    private record Input(float[] values, long[] shape) {}

    /** The conv's input in {@code model}; the forward stops there. */
    private static Input capture(YoloModel model, float[] data, long[] shape, RefitConv conv) {
        Input[] got = new Input[1];
        forward(
                model,
                data,
                shape,
                (layer, path, in, pre) -> {
                    if (layer != conv.layer() || !path.equals(conv.path())) {
                        return;
                    }
                    got[0] = new Input(in.toFloatArray(), in.getShape().getShape());
                    throw new Stop(); // the rest of the network is not needed for this conv
                });
        if (got[0] == null) {
            throw new IllegalStateException(
                    "conv " + conv.name() + " never ran in the forward pass");
        }
        return got[0];
    }

    /** Ends a forward pass early, once what a tap needs was seen. */
    static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    static void forward(YoloModel model, float[] data, long[] shape, ConvTap tap) {
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray img = scope.create(data, new Shape(shape));
            model.network().setConvTap(tap);
            model.network().forwardRaw(new ParameterStore(scope, false), img, false);
        } catch (Stop done) {
            // the tap has what it needs
        } finally {
            model.network().setConvTap(null);
        }
    }
}
