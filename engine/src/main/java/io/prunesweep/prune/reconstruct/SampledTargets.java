package io.prunesweep.prune.reconstruct;

import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.YoloModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The original network's pre-BN outputs at the sampled positions of a run of convs, captured in one
 * forward of the original per batch (the targets do not depend on any re-fit, so they need not be
 * recomputed per conv). Positions are drawn per conv and batch from the settings' seed, and split
 * into the fit's rows and the held-out images' rows.
 */
final class SampledTargets {

    /** One batch of one conv: positions as {@code [image, y, x]} triples and their targets. */
    record Sample(
            int[] fitPositions, float[] fitTargets, int[] heldPositions, float[] heldTargets) {}

    private final Map<String, List<Sample>> byConv;

    private SampledTargets(Map<String, List<Sample>> byConv) {
        this.byConv = byConv;
    }

    /** Per batch, in batch order. */
    List<Sample> of(RefitConv conv) {
        return byConv.get(key(conv.layer(), conv.path()));
    }

    /** The unknowns of a conv's fit: its weights per filter, plus an intercept. */
    static int unknowns(ConvSpec spec) {
        return spec.in() * spec.kernel() * spec.kernel() + (spec.bn() || spec.bias() ? 1 : 0);
    }

    /** Sampled rows of a conv over all images. */
    static long rows(ConvSpec spec, ReconstructSettings settings) {
        return Math.min(settings.maxRows(), (long) settings.rowsPerUnknown() * unknowns(spec));
    }

    /**
     * Splits convs, in execution order, into consecutive runs whose sampled targets fit the
     * settings' budget (at least one conv each).
     */
    static List<List<RefitConv>> runs(
            YoloModel pruned, List<RefitConv> order, ReconstructSettings settings) {
        List<List<RefitConv>> runs = new ArrayList<>();
        List<RefitConv> run = new ArrayList<>();
        long bytes = 0;
        for (RefitConv c : order) {
            ConvSpec spec = pruned.graph().layers().get(c.layer()).conv(c.path());
            long need = rows(spec, settings) * (4L * c.keptOutputs().length + 12);
            if (!run.isEmpty() && bytes + need > settings.targetBudgetBytes()) {
                runs.add(run);
                run = new ArrayList<>();
                bytes = 0;
            }
            run.add(c);
            bytes += need;
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    /**
     * Runs the original over every batch once, sampling each conv of {@code run} ({@code
     * firstIndex} is the first one's index in the execution order, which seeds its positions).
     */
    static SampledTargets capture(
            YoloModel original,
            List<RefitConv> run,
            int firstIndex,
            CalibrationImages images,
            ReconstructSettings settings) {
        Map<String, RefitConv> wanted = new HashMap<>();
        Map<String, Integer> index = new HashMap<>();
        Map<String, List<Sample>> byConv = new HashMap<>();
        for (int i = 0; i < run.size(); i++) {
            String k = key(run.get(i).layer(), run.get(i).path());
            wanted.put(k, run.get(i));
            index.put(k, firstIndex + i);
            byConv.put(k, new ArrayList<>());
        }
        int total = images.images();
        int start = 0;
        for (int b = 0; b < images.batches().size(); b++) {
            long[] shape = images.shapes().get(b);
            int batch = b;
            int first = start;
            Set<String> seen = new HashSet<>();
            Reconstructor.forward(
                    original,
                    images.batches().get(b),
                    shape,
                    (layer, path, in, pre) -> {
                        String k = key(layer, path);
                        RefitConv conv = wanted.get(k);
                        if (conv == null || !seen.add(k)) {
                            return;
                        }
                        ConvSpec spec = original.graph().layers().get(layer).conv(path);
                        long[] ps = pre.getShape().getShape();
                        int perImage =
                                (int) Math.max(1, Math.ceil((double) rows(spec, settings) / total));
                        SplittableRandom random =
                                new SplittableRandom(
                                        settings.seed() * 0x9E3779B97F4A7C15L
                                                + index.get(k) * 1_000_003L
                                                + batch);
                        int[] pos =
                                Patches.positions(
                                        (int) ps[0], (int) ps[2], (int) ps[3], perImage, random);
                        int[][] split = Patches.split(pos, i -> settings.heldOut(first + i, total));
                        float[] y = pre.toFloatArray();
                        byConv.get(k)
                                .add(
                                        new Sample(
                                                split[0],
                                                Patches.targets(
                                                        y, ps, conv.keptOutputs(), split[0]),
                                                split[1],
                                                Patches.targets(
                                                        y, ps, conv.keptOutputs(), split[1])));
                        if (seen.size() == wanted.size()) {
                            throw new Reconstructor.Stop(); // the rest of the network is not needed
                        }
                    });
            for (Map.Entry<String, List<Sample>> e : byConv.entrySet()) {
                if (e.getValue().size() != b + 1) {
                    throw new IllegalStateException(
                            "conv " + e.getKey() + " never ran in the original's forward pass");
                }
            }
            start += (int) shape[0];
        }
        return new SampledTargets(byConv);
    }

    private static String key(int layer, String path) {
        return layer + "/" + path;
    }
}
