package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Producer;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Channel scores per prunable space (higher = more important), computed in plain Java from a host state dict.
 *
 * <ul>
 *   <li>{@code bn}: |γ| averaged over the space's BatchNorm'd producers (a conv output plus, e.g., the depthwise
 *       convs and residual branches that write the same channels). Raw γ is comparable across layers, which is
 *       what Network Slimming's global threshold relies on.
 *   <li>{@code l1}/{@code l2}: each producer's filter norms divided by their mean over the space, then averaged
 *       over producers. Raw norms grow with fan-in (a 3x3x256 filter vs a 1x1x64 one), so without this a global
 *       threshold would empty the thin layers first; normalised, every space's scores average 1 and the global
 *       threshold removes the channels that are weakest <em>relative to their space</em>.
 *   <li>{@code random}: uniform in [0, 1) from one generator seeded with {@code seed}, spaces in graph order.
 * </ul>
 * Degenerate values: NaN counts as 0 (a broken channel is the first to go); a producer whose norms are all zero
 * contributes 0s; ties are broken by channel index in {@link ChannelSelector}.
 */
public final class Importance {
    private Importance() {}

    /** Scores indexed [space id][channel]; null for spaces that are not prunable. */
    public static double[][] scores(ChannelSpaces cs, Map<String, Tensor> stateDict, Method method, long seed) {
        if (method == Method.UNSTRUCTURED) {
            throw new IllegalArgumentException("unstructured pruning ranks weights, not channels (see MagnitudePruner)");
        }
        double[][] out = new double[cs.spaces().size()][];
        SplittableRandom random = new SplittableRandom(seed);
        for (Space s : cs.spaces()) {
            if (!s.prunable()) continue;
            double[] acc = new double[s.width()];
            if (method == Method.RANDOM) {
                for (int c = 0; c < acc.length; c++) acc[c] = random.nextDouble();
                out[s.id()] = acc;
                continue;
            }
            int count = 0;
            for (Producer p : s.producers()) {
                if (!p.bn()) continue;
                double[] v = method == Method.BN ? gamma(cs, stateDict, p, s.width()) : filterNorms(cs, stateDict, p, s.width(), method);
                if (method != Method.BN) normaliseByMean(v);
                for (int c = 0; c < acc.length; c++) acc[c] += v[c];
                count++;
            }
            for (int c = 0; c < acc.length; c++) {
                double x = count == 0 ? 0 : acc[c] / count;
                acc[c] = Double.isNaN(x) ? 0 : Math.min(x, Double.MAX_VALUE);
            }
            out[s.id()] = acc;
        }
        return out;
    }

    private static double[] gamma(ChannelSpaces cs, Map<String, Tensor> sd, Producer p, int width) {
        Layer layer = cs.graph().layers().get(p.layer());
        float[] g = tensor(sd, layer.prefix(p.convPath()) + "bn.weight").data();
        double[] v = new double[width];
        for (int c = 0; c < width; c++) v[c] = clean(Math.abs(g[p.offset() + c]));
        return v;
    }

    private static double[] filterNorms(ChannelSpaces cs, Map<String, Tensor> sd, Producer p, int width, Method method) {
        Layer layer = cs.graph().layers().get(p.layer());
        ConvSpec spec = layer.conv(p.convPath());
        float[] w = tensor(sd, layer.prefix(p.convPath()) + (spec.bn() ? "conv.weight" : "weight")).data();
        int row = spec.in() / spec.groups() * spec.kernel() * spec.kernel();
        double[] v = new double[width];
        for (int c = 0; c < width; c++) {
            int base = (p.offset() + c) * row;
            double sum = 0;
            for (int k = 0; k < row; k++) {
                float x = w[base + k];
                sum += method == Method.L1 ? Math.abs(x) : (double) x * x;
            }
            v[c] = clean(method == Method.L1 ? sum : Math.sqrt(sum));
        }
        return v;
    }

    private static void normaliseByMean(double[] v) {
        double mean = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        for (int c = 0; c < v.length; c++) v[c] = mean > 0 && Double.isFinite(mean) ? v[c] / mean : 0;
    }

    private static double clean(double x) {
        return Double.isNaN(x) ? 0 : x;
    }

    private static Tensor tensor(Map<String, Tensor> sd, String name) {
        Tensor t = sd.get(name);
        if (t == null) throw new IllegalStateException("state dict has no " + name);
        return t;
    }
}
