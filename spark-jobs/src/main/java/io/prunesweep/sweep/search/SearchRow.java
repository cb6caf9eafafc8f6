package io.prunesweep.sweep.search;

/**
 * What a search planner sees of one point of the results table: its series, ratio, finetune epochs,
 * and outcome. Planners are pure functions of a list of these, so they are tested on hand-made
 * tables.
 *
 * @param ok the point (and its chain) finished
 * @param denseMap mAP50-95 of the series' dense model (null when unknown)
 * @param map the point's mAP50-95 after finetuning (null when not ok)
 * @param params the point's parameters after pruning (null when not ok)
 * @param round the search round that added the point (0 = the grid)
 */
public record SearchRow(
        Series series,
        double ratio,
        int epochs,
        int round,
        boolean ok,
        Double denseMap,
        Double map,
        Double params) {}
