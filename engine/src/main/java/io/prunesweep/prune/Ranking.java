package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ModelGraph;
import java.util.Map;

/**
 * The expensive, ratio-independent half of pruning: the graph's channel spaces and every prunable
 * channel's score. {@link #plan} then turns any ratio into a {@link PrunePlan} cheaply (used by the
 * target search).
 */
public final class Ranking {
    private final ChannelSpaces spaces;
    private final double[][] scores;
    private final PruneConfig config;
    private final Overrides.Resolved overrides;

    private Ranking(ChannelSpaces spaces, double[][] scores, PruneConfig config) {
        this.spaces = spaces;
        this.scores = scores;
        this.config = config;
        this.overrides = config.overrides().resolve(spaces);
    }

    public static Ranking of(ModelGraph graph, Map<String, Tensor> stateDict, PruneConfig config) {
        ChannelSpaces cs = ChannelSpaces.of(graph);
        return new Ranking(
                cs, config.method().importance().scores(cs, stateDict, config.seed()), config);
    }

    public ChannelSpaces spaces() {
        return spaces;
    }

    public double[][] scores() {
        return scores;
    }

    /** One-shot plan at {@code ratio}. */
    public PrunePlan plan(double ratio) {
        return plan(ratio, null);
    }

    /**
     * Plan at cumulative {@code ratio} relative to {@code originalWidths} (per space id; null =
     * current widths), as iterative pruning needs.
     */
    public PrunePlan plan(double ratio, int[] originalWidths) {
        var rules =
                new ChannelSelector.Rules(
                        ratio,
                        config.scope(),
                        config.minChannels(),
                        config.roundTo(),
                        config.splitParity(),
                        overrides.ratios(),
                        overrides.excluded(),
                        originalWidths);
        int[][] kept = ChannelSelector.select(spaces, scores, rules);
        return new PrunePlan(spaces, kept, GraphRebuild.rebuild(spaces, kept), ratio);
    }
}
