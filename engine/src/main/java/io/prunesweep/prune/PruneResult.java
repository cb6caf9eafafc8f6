package io.prunesweep.prune;

import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.util.List;

/**
 * A pruned model (the caller closes it) with what produced it.
 *
 * @param ratio the final cumulative ratio (the searched one when a target was given)
 * @param targetNote why a target could not be met, or null
 * @param plans one per step
 * @param notes layers kept whole because their module declares no wiring
 * @param rankSeconds host copy of the weights, spaces, scores, selection (and target search)
 * @param rebuildSeconds new graph, weight copy, new model
 */
public record PruneResult(
        YoloModel model,
        ModelGraph before,
        ModelGraph after,
        PruneConfig config,
        double ratio,
        String targetNote,
        List<PrunePlan> plans,
        List<String> notes,
        double rankSeconds,
        double rebuildSeconds) {}
