package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.ConvChannels;
import io.prunesweep.graph.ChannelSpaces.LayerChannels;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph with every space narrowed to its kept channels: convs' in/out/groups, split attrs,
 * layer widths.
 */
public final class GraphRebuild {
    private GraphRebuild() {}

    public static ModelGraph rebuild(ChannelSpaces cs, int[][] kept) {
        ModelGraph g = cs.graph();
        List<Layer> layers = new ArrayList<>(g.layers().size());
        for (LayerChannels lc : cs.layers()) {
            Layer old = g.layers().get(lc.layer());
            if (lc.opaque()) {
                layers.add(old);
                continue;
            }
            Map<String, ConvSpec> convs = new LinkedHashMap<>();
            for (Map.Entry<String, ConvSpec> e : old.convs().entrySet()) {
                ConvChannels cc = lc.convs().get(e.getKey());
                ConvSpec spec = e.getValue();
                int in = width(cc.in(), kept);
                int out = width(cc.out(), kept);
                if (spec.depthwise()) {
                    spec = spec.withOut(out);
                } else if (spec.groups() == 1) {
                    spec = spec.withIn(in).withOut(out);
                } // grouped convs are frozen: unchanged
                convs.put(e.getKey(), spec);
            }
            Map<String, Object> attrs = new LinkedHashMap<>(old.attrs());
            lc.splits()
                    .forEach(
                            (key, parts) ->
                                    attrs.put(
                                            key, parts.stream().map(p -> width(p, kept)).toList()));
            int[] in = new int[lc.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = width(lc.inputs().get(i), kept);
            }
            layers.add(old.with(convs, attrs, in, width(lc.output(), kept)));
        }
        return g.withLayers(layers);
    }

    static int width(int[] spaces, int[][] kept) {
        int w = 0;
        for (int s : spaces) {
            w += kept[s].length;
        }
        return w;
    }
}
