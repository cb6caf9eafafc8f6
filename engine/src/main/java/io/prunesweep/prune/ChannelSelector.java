package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Space;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Decides how many and which channels every space keeps. Widths are monotone in the ratio (a larger
 * ratio never keeps more channels anywhere), so the parameter count never grows as the ratio grows.
 */
public final class ChannelSelector {
    private ChannelSelector() {}

    /**
     * @param ratio cumulative fraction to remove, relative to {@code originalWidths} (iterative
     *     pruning passes the widths before its first step; one-shot pruning the current ones)
     * @param spaceRatios per-space ratios from overrides (those spaces are pruned locally)
     * @param excluded spaces kept whole
     */
    public record Rules(
            double ratio,
            Scope scope,
            int minChannels,
            int roundTo,
            boolean splitParity,
            Map<Integer, Double> spaceRatios,
            Set<Integer> excluded,
            int[] originalWidths) {
        /** By value: {@code originalWidths} by content. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Rules r
                    && Double.compare(ratio, r.ratio) == 0
                    && scope == r.scope
                    && minChannels == r.minChannels
                    && roundTo == r.roundTo
                    && splitParity == r.splitParity
                    && java.util.Objects.equals(spaceRatios, r.spaceRatios)
                    && java.util.Objects.equals(excluded, r.excluded)
                    && java.util.Arrays.equals(originalWidths, r.originalWidths);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(
                    ratio,
                    scope,
                    minChannels,
                    roundTo,
                    splitParity,
                    spaceRatios,
                    excluded,
                    java.util.Arrays.hashCode(originalWidths));
        }

        @Override
        public String toString() {
            return "Rules[ratio="
                    + ratio
                    + ", scope="
                    + scope
                    + ", minChannels="
                    + minChannels
                    + ", roundTo="
                    + roundTo
                    + ", splitParity="
                    + splitParity
                    + ", spaceRatios="
                    + spaceRatios
                    + ", excluded="
                    + excluded
                    + ", originalWidths="
                    + java.util.Arrays.toString(originalWidths)
                    + "]";
        }
    }

    /**
     * Kept channel indices per space id, ascending; every channel for spaces that are not pruned.
     */
    public static int[][] select(ChannelSpaces cs, double[][] scores, Rules rules) {
        int n = cs.spaces().size();
        int[] keep = new int[n];
        int[] guard = new int[n];
        boolean[] pool = new boolean[n];
        for (Space s : cs.spaces()) {
            int id = s.id();
            int w = s.width();
            keep[id] = w;
            guard[id] = Math.min(Math.max(1, rules.minChannels()), w);
            if (!s.prunable() || rules.excluded().contains(id)) {
                continue;
            }
            Double r = rules.spaceRatios().get(id);
            if (r == null && rules.scope() == Scope.LOCAL) {
                r = rules.ratio();
            }
            if (r == null) {
                pool[id] = true;
            } else {
                int w0 = Math.max(original(rules, id, w), w);
                int k = w0 - (int) Math.floor(r * w0 + 1e-9);
                keep[id] = Math.max(guard[id], Math.min(k, w));
            }
        }
        if (rules.scope() == Scope.GLOBAL) {
            globalThreshold(cs, scores, rules, pool, keep, guard);
        }
        if (rules.splitParity()) {
            for (int[] p : cs.parityPairs()) {
                int k = Math.max(keep[p[0]], keep[p[1]]);
                keep[p[0]] = Math.min(k, cs.space(p[0]).width());
                keep[p[1]] = Math.min(k, cs.space(p[1]).width());
            }
        }
        int[][] kept = new int[n][];
        for (Space s : cs.spaces()) {
            int id = s.id();
            int w = s.width();
            if (keep[id] < w) {
                keep[id] = roundKeep(keep[id], guard[id], w, rules.roundTo());
            }
            kept[id] = keep[id] == w ? identity(w) : topK(scores[id], keep[id]);
        }
        return kept;
    }

    private static int original(Rules rules, int id, int w) {
        return rules.originalWidths() == null ? w : rules.originalWidths()[id];
    }

    /**
     * One threshold over the pooled channels: remove the lowest scores first, never a space below
     * its guard.
     */
    private static void globalThreshold(
            ChannelSpaces cs,
            double[][] scores,
            Rules rules,
            boolean[] pool,
            int[] keep,
            int[] guard) {
        long n0 = 0;
        long now = 0;
        int total = 0;
        for (Space s : cs.spaces()) {
            if (!pool[s.id()]) {
                continue;
            }
            n0 += Math.max(original(rules, s.id(), s.width()), s.width());
            now += s.width();
            total += s.width();
        }
        long target = Math.round(rules.ratio() * n0) - (n0 - now);
        if (target <= 0) {
            return;
        }
        // entries sorted by score; ties by relative position from the top of their space
        // ((w-1-c)/w), so equal
        // scores (e.g. untrained γ = 1 everywhere) are removed evenly from all spaces, highest
        // index first as topK
        // keeps the lower index; then by space for determinism
        double[] sc = new double[total];
        double[] rel = new double[total];
        int[] sp = new int[total];
        int[] ch = new int[total];
        Integer[] order = new Integer[total];
        int e = 0;
        for (Space s : cs.spaces()) {
            if (!pool[s.id()]) {
                continue;
            }
            for (int c = 0; c < s.width(); c++) {
                sc[e] = scores[s.id()][c];
                rel[e] = (double) (s.width() - 1 - c) / s.width();
                sp[e] = s.id();
                ch[e] = c;
                order[e] = e;
                e++;
            }
        }
        Arrays.sort(
                order,
                (a, b) -> {
                    int c = Double.compare(sc[a], sc[b]);
                    if (c != 0) {
                        return c;
                    }
                    c = Double.compare(rel[a], rel[b]);
                    if (c != 0) {
                        return c;
                    }
                    c = Integer.compare(sp[a], sp[b]);
                    return c != 0 ? c : Integer.compare(ch[b], ch[a]);
                });
        long removed = 0;
        for (int i = 0; i < total && removed < target; i++) {
            int s = sp[order[i]];
            if (keep[s] > guard[s]) {
                keep[s]--;
                removed++;
            }
        }
    }

    /**
     * Nearest multiple of {@code roundTo} (halves round up) within [guard, width]; when no multiple
     * fits there, the width stays unrounded. Monotone in {@code k}.
     */
    static int roundKeep(int k, int guard, int width, int roundTo) {
        if (roundTo <= 1) {
            return Math.max(k, guard);
        }
        int lowest = (guard + roundTo - 1) / roundTo * roundTo;
        int highest = width / roundTo * roundTo;
        if (lowest > highest) {
            return Math.max(k, guard);
        }
        int nearest = (int) Math.floor((double) k / roundTo + 0.5) * roundTo;
        return Math.min(highest, Math.max(lowest, nearest));
    }

    private static int[] identity(int w) {
        int[] a = new int[w];
        for (int i = 0; i < w; i++) {
            a[i] = i;
        }
        return a;
    }

    /** The k best channels (score descending, lower index first on ties), ascending by index. */
    private static int[] topK(double[] score, int k) {
        int w = score.length;
        Integer[] idx = new Integer[w];
        for (int i = 0; i < w; i++) {
            idx[i] = i;
        }
        Arrays.sort(
                idx,
                (a, b) -> {
                    int c = Double.compare(score[b], score[a]);
                    return c != 0 ? c : Integer.compare(a, b);
                });
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = idx[i];
        }
        Arrays.sort(out);
        return out;
    }
}
