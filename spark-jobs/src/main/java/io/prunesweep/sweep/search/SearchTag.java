package io.prunesweep.sweep.search;

/**
 * Why a point is in the table: the search round that added or promoted it (0 = the grid) and the
 * reason.
 */
public record SearchTag(int round, String reason) {
    public static final SearchTag GRID = new SearchTag(0, "grid");
}
