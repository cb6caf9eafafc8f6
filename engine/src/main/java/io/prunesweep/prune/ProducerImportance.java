package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Producer;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import java.util.Map;

/**
 * A criterion that scores every BatchNorm'd producer of a space on its own ({@link ProducerScore}),
 * optionally divides each producer's scores by their mean ({@link Normalisation}), and combines the
 * producers ({@link Reduction}): Torch-Pruning's {@code normalizer} and {@code group_reduction}. A
 * space whose producers have no BatchNorm scores 0 everywhere. The combined score of a NaN channel
 * is 0 and +∞ becomes {@link Double#MAX_VALUE}, so the selector's order stays total.
 *
 * @param score one producer's per-channel scores
 * @param normalisation whether each producer's scores are divided by their mean over the space
 *     first
 * @param reduction how the producers' scores are combined into the space's
 */
public record ProducerImportance(
        ProducerScore score, Normalisation normalisation, Reduction reduction)
        implements Importance {

    /**
     * One producer's per-channel scores; {@code width} values for channels {@code offset ..
     * offset+width-1}.
     */
    @FunctionalInterface
    public interface ProducerScore {
        double[] score(ProducerView producer);
    }

    /** What a {@link ProducerScore} sees of one producer: its layer, conv and host tensors. */
    public record ProducerView(
            ChannelSpaces spaces, Map<String, Tensor> stateDict, Producer producer, int width) {
        public Layer layer() {
            return spaces.graph().layers().get(producer.layer());
        }

        public ConvSpec conv() {
            return layer().conv(producer.convPath());
        }

        /** The producer's BatchNorm γ, one value per channel of the space. */
        public float[] gamma() {
            float[] g = tensor(layer().prefix(producer.convPath()) + "bn.weight").data();
            float[] out = new float[width];
            System.arraycopy(g, producer.offset(), out, 0, width);
            return out;
        }

        /** The producer's conv weight, flattened [out][in/groups][k][k]. */
        public float[] convWeight() {
            return tensor(
                            layer().prefix(producer.convPath())
                                    + (conv().bn() ? "conv.weight" : "weight"))
                    .data();
        }

        /** Elements of one output channel's filter in {@link #convWeight()}. */
        public int filterSize() {
            ConvSpec spec = conv();
            return spec.in() / spec.groups() * spec.kernel() * spec.kernel();
        }

        /** Index of the space's channel {@code c} among the conv's output channels. */
        public int outChannel(int c) {
            return producer.offset() + c;
        }

        public Tensor tensor(String name) {
            Tensor t = stateDict.get(name);
            if (t == null) {
                throw new IllegalStateException("state dict has no " + name);
            }
            return t;
        }
    }

    /**
     * Torch-Pruning's {@code normalizer}: none, or divide by the producer's mean (0 when the mean
     * is 0 or not finite).
     */
    public enum Normalisation {
        NONE,
        MEAN
    }

    /** Torch-Pruning's {@code group_reduction} over a space's producers. */
    public enum Reduction {
        MEAN,
        SUM,
        MAX
    }

    @Override
    public double[][] scores(ChannelSpaces cs, Map<String, Tensor> stateDict, long seed) {
        double[][] out = new double[cs.spaces().size()][];
        for (Space s : cs.spaces()) {
            if (!s.prunable()) {
                continue;
            }
            double[] acc = new double[s.width()];
            if (reduction == Reduction.MAX) {
                java.util.Arrays.fill(acc, Double.NEGATIVE_INFINITY);
            }
            int count = 0;
            for (Producer p : s.producers()) {
                if (!p.bn()) {
                    continue;
                }
                double[] v = score.score(new ProducerView(cs, stateDict, p, s.width()));
                if (normalisation == Normalisation.MEAN) {
                    normaliseByMean(v);
                }
                for (int c = 0; c < acc.length; c++) {
                    acc[c] = reduction == Reduction.MAX ? Math.max(acc[c], v[c]) : acc[c] + v[c];
                }
                count++;
            }
            for (int c = 0; c < acc.length; c++) {
                double x = count == 0 ? 0 : reduction == Reduction.MEAN ? acc[c] / count : acc[c];
                acc[c] = Double.isNaN(x) ? 0 : Math.min(x, Double.MAX_VALUE);
            }
            out[s.id()] = acc;
        }
        return out;
    }

    /** |γ| of the producer's BatchNorm (Network Slimming); NaN counts as 0. */
    public static double[] gammaMagnitude(ProducerView p) {
        float[] g = p.gamma();
        double[] v = new double[g.length];
        for (int c = 0; c < v.length; c++) {
            v[c] = clean(Math.abs(g[c]));
        }
        return v;
    }

    /** L1 norm of each output filter; NaN counts as 0. */
    public static double[] filterL1(ProducerView p) {
        return filterNorms(p, true);
    }

    /** L2 norm of each output filter; NaN counts as 0. */
    public static double[] filterL2(ProducerView p) {
        return filterNorms(p, false);
    }

    private static double[] filterNorms(ProducerView p, boolean l1) {
        float[] w = p.convWeight();
        int row = p.filterSize();
        double[] v = new double[p.width()];
        for (int c = 0; c < v.length; c++) {
            int base = p.outChannel(c) * row;
            double sum = 0;
            for (int k = 0; k < row; k++) {
                float x = w[base + k];
                sum += l1 ? Math.abs(x) : (double) x * x;
            }
            v[c] = clean(l1 ? sum : Math.sqrt(sum));
        }
        return v;
    }

    private static void normaliseByMean(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x;
        }
        mean /= v.length;
        for (int c = 0; c < v.length; c++) {
            v[c] = mean > 0 && Double.isFinite(mean) ? v[c] / mean : 0;
        }
    }

    private static double clean(double x) {
        return Double.isNaN(x) ? 0 : x;
    }
}
