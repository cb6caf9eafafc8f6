package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.io.SafeTensors.Tensor;
import java.util.Map;

/**
 * A channel-importance criterion (the strategy behind {@code --method}): a score for every channel
 * of every prunable space, higher = more important. {@link ChannelSelector} removes the lowest
 * scores first, so scores only need to be comparable within a space ({@code --scope local}) or
 * across spaces ({@code global}).
 *
 * <p>A new criterion is one class implementing this interface plus one call to {@link
 * ImportanceRegistry#register}; its name then shows up in {@code prune --help}, the CLI and sweep
 * validation, and in the report's styles. Most criteria score each producer of a space and combine
 * them: extend {@link ProducerImportance} for that. The built-ins are {@link Method#BN}, {@link
 * Method#L1}, {@link Method#L2} and {@link Method#RANDOM}.
 *
 * <p>Contract: deterministic for a given state dict and seed; NaN is not returned (count a broken
 * channel as 0); the result has one array per space id, {@code null} for the spaces that are not
 * prunable.
 */
@FunctionalInterface
public interface Importance {

    /** Scores indexed [space id][channel]; null for spaces that are not prunable. */
    double[][] scores(ChannelSpaces spaces, Map<String, Tensor> stateDict, long seed);
}
