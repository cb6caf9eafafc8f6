package io.prunesweep.prune.reconstruct;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.ConvChannels;
import io.prunesweep.graph.ChannelSpaces.LayerChannels;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.prune.PrunePlan;
import io.prunesweep.prune.WeightTransfer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A conv whose weights reconstruction re-fits: {@code layer.path} in both networks, and the
 * original output channels its pruned output keeps (the rows of the original's feature map that are
 * its targets).
 */
public record RefitConv(int layer, String path, int[] keptOutputs) {

    public String name() {
        return layer + (path.isEmpty() ? "" : "." + path);
    }

    /**
     * The consumers of every pruned channel space: each ordinary (groups = 1) conv of which at
     * least one input space lost channels. Depthwise convs are not among them: a kept channel's
     * depthwise output depends on that channel alone. Grouped convs are frozen by pruning. In graph
     * order (reconstruction sorts by execution).
     */
    public static List<RefitConv> consumers(PrunePlan plan) {
        return select(plan, false);
    }

    /**
     * Every groups = 1 conv of a non-opaque layer, pruned input or not (tests: a no-op refit must
     * change nothing).
     */
    public static List<RefitConv> everyConv(PrunePlan plan) {
        return select(plan, true);
    }

    private static List<RefitConv> select(PrunePlan plan, boolean all) {
        ChannelSpaces cs = plan.spaces();
        int[][] kept = plan.kept();
        List<RefitConv> out = new ArrayList<>();
        for (LayerChannels lc : cs.layers()) {
            if (lc.opaque()) {
                continue;
            }
            Layer layer = cs.graph().layers().get(lc.layer());
            for (Map.Entry<String, ConvChannels> e : lc.convs().entrySet()) {
                ConvSpec spec = layer.conv(e.getKey());
                if (spec.groups() != 1 || !spec.trainable()) {
                    continue;
                }
                boolean prunedInput = false;
                for (int s : e.getValue().in()) {
                    prunedInput |= kept[s].length < cs.space(s).width();
                }
                if (!prunedInput && !all) {
                    continue;
                }
                out.add(
                        new RefitConv(
                                lc.layer(),
                                e.getKey(),
                                WeightTransfer.positions(cs, e.getValue().out(), kept)));
            }
        }
        return out;
    }
}
