package io.prunesweep.pipeline;

/**
 * One point of a sensitivity scan: prune channel space {@code space} (with the spaces tied to it by
 * split parity) at {@code ratio}, every other space intact, and validate.
 *
 * @param space a prunable space's name, as {@link io.prunesweep.graph.ChannelSpaces} names it
 *     ({@code 6.cv1[1]})
 * @param ratio fraction of that space's channels to remove, in (0, 1)
 */
public record ScanItem(String space, double ratio) {}
