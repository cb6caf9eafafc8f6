package io.prunesweep.model;

/** One compound-scaling entry of a model YAML: {@code n: [depth, width, max_channels]}. */
public record Scale(double depth, double width, int maxChannels) {}
