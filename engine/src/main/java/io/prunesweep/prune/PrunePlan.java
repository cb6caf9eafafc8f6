package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.model.ModelGraph;

/**
 * The decision of one pruning step, before any weights move: the spaces of the graph it applies to,
 * the kept channel indices per space id, and the resulting graph.
 */
public record PrunePlan(ChannelSpaces spaces, int[][] kept, ModelGraph pruned, double ratio) {

    public ModelGraph original() {
        return spaces.graph();
    }

    /** Channel indices of space {@code id} that are removed, ascending. */
    public int[] removed(int id) {
        int w = spaces.space(id).width();
        int[] k = kept[id];
        int[] out = new int[w - k.length];
        int i = 0;
        int j = 0;
        for (int c = 0; c < w; c++) {
            if (j < k.length && k[j] == c) {
                j++;
            } else {
                out[i++] = c;
            }
        }
        return out;
    }

    /** Channels over the prunable spaces: before and after. */
    public int[] prunableChannels() {
        int before = 0;
        int after = 0;
        for (var s : spaces.prunable()) {
            before += s.width();
            after += kept[s.id()].length;
        }
        return new int[] {before, after};
    }
}
