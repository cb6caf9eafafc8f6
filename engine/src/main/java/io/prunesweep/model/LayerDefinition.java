package io.prunesweep.model;

import java.util.List;

/**
 * One row of a model YAML, {@code [from, repeats, module, args]}, as written (before scaling).
 *
 * @param from input layer indices; negative values are relative to this layer (-1 = previous)
 * @param args module arguments as parsed from YAML (numbers, booleans, strings, null)
 */
public record LayerDefinition(int[] from, int repeats, String module, List<Object> args) {}
