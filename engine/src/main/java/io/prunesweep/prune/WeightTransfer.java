package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.ConvChannels;
import io.prunesweep.graph.ChannelSpaces.LayerChannels;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Copies the kept channels' weights into the pruned shapes, on the host: conv weight rows (output
 * channels) and columns (input channels), bias, BatchNorm γ/β/running statistics. Opaque layers and
 * untouched tensors are passed through as they are.
 */
public final class WeightTransfer {
    private WeightTransfer() {}

    public static Map<String, Tensor> transfer(
            ChannelSpaces cs, int[][] kept, Map<String, Tensor> stateDict) {
        Map<String, Tensor> out = new LinkedHashMap<>(stateDict);
        for (LayerChannels lc : cs.layers()) {
            if (lc.opaque()) {
                continue;
            }
            Layer layer = cs.graph().layers().get(lc.layer());
            for (Map.Entry<String, ConvChannels> e : lc.convs().entrySet()) {
                ConvSpec spec = layer.conv(e.getKey());
                if (spec.groups() > 1 && !spec.depthwise()) {
                    continue; // frozen
                }
                int[] keepOut = positions(cs, e.getValue().out(), kept);
                int[] keepIn =
                        spec.depthwise() ? new int[] {0} : positions(cs, e.getValue().in(), kept);
                String p = layer.prefix(e.getKey());
                String wName = p + (spec.bn() ? "conv.weight" : "weight");
                out.put(wName, selectWeight(get(stateDict, wName), keepOut, keepIn));
                if (spec.bias()) {
                    out.put(p + "bias", select(get(stateDict, p + "bias"), keepOut));
                }
                if (spec.bn()) {
                    for (String b :
                            new String[] {
                                "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"
                            }) {
                        out.put(p + b, select(get(stateDict, p + b), keepOut));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Channel positions within a concatenation of spaces: each space's kept indices shifted by its
     * offset.
     */
    public static int[] positions(ChannelSpaces cs, int[] spaces, int[][] kept) {
        int n = 0;
        for (int s : spaces) {
            n += kept[s].length;
        }
        int[] pos = new int[n];
        int i = 0;
        int offset = 0;
        for (int s : spaces) {
            for (int k : kept[s]) {
                pos[i++] = offset + k;
            }
            offset += cs.space(s).width();
        }
        return pos;
    }

    private static Tensor selectWeight(Tensor w, int[] rows, int[] cols) {
        long[] shape = w.shape();
        int inG = (int) shape[1];
        int kk = (int) (shape[2] * shape[3]);
        int[] c = cols.length == 1 && inG == 1 ? new int[] {0} : cols;
        float[] src = w.data();
        float[] dst = new float[rows.length * c.length * kk];
        int d = 0;
        for (int r : rows) {
            int rowBase = r * inG * kk;
            for (int col : c) {
                System.arraycopy(src, rowBase + col * kk, dst, d, kk);
                d += kk;
            }
        }
        return Tensor.f32(new long[] {rows.length, c.length, shape[2], shape[3]}, dst);
    }

    private static Tensor select(Tensor t, int[] idx) {
        float[] src = t.data();
        float[] dst = new float[idx.length];
        for (int i = 0; i < idx.length; i++) {
            dst[i] = src[idx[i]];
        }
        return Tensor.f32(new long[] {idx.length}, dst);
    }

    private static Tensor get(Map<String, Tensor> sd, String name) {
        Tensor t = sd.get(name);
        if (t == null) {
            throw new IllegalStateException("state dict has no " + name);
        }
        return t;
    }
}
