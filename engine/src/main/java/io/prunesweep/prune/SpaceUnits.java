package io.prunesweep.prune;

import io.prunesweep.InputException;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Space;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The prunable spaces of a graph as units that can be pruned on their own: a space, plus the spaces
 * split parity ties to it (the two halves of a C2f/C3k2 split keep equal widths, so pruning one
 * half alone would be undone). A sensitivity scan prunes one unit at a time; its per-layer plan
 * names every member.
 */
public final class SpaceUnits {
    private SpaceUnits() {}

    /**
     * @param name the first member's name (the unit's name in tables)
     * @param members every space of the unit, ascending by id
     * @param layers the layers whose convs read or write these channels, ascending
     * @param channels the first member's width
     */
    public record Unit(String name, List<String> members, List<Integer> layers, int channels) {
        /**
         * Overrides pruning every member at {@code ratio} (and nothing else, with a local ratio of
         * 0).
         */
        public Overrides overrides(double ratio, String source) {
            Map<String, Double> r = new TreeMap<>();
            members.forEach(m -> r.put(m, ratio));
            return new Overrides(r, java.util.Set.of(), source);
        }
    }

    /** The units of every prunable space, in space order. */
    public static List<Unit> of(ChannelSpaces cs) {
        List<Unit> units = new ArrayList<>();
        boolean[] taken = new boolean[cs.spaces().size()];
        for (Space s : cs.prunable()) {
            if (taken[s.id()]) {
                continue;
            }
            TreeSet<Integer> members = partners(cs, s.id());
            members.forEach(id -> taken[id] = true);
            units.add(unit(cs, members));
        }
        return units;
    }

    /** The unit whose first member is named {@code name}; one clear message when there is none. */
    public static Unit find(ChannelSpaces cs, String name) {
        for (Unit u : of(cs)) {
            if (u.name().equals(name) || u.members().contains(name)) {
                return u;
            }
        }
        List<Unit> all = of(cs);
        throw new InputException(
                "no prunable channel space '"
                        + name
                        + "' in this model; prunable spaces are "
                        + all.stream().limit(12).map(Unit::name).toList()
                        + (all.size() > 12 ? " ..." : "")
                        + " (see the prune report)");
    }

    private static TreeSet<Integer> partners(ChannelSpaces cs, int id) {
        TreeSet<Integer> members = new TreeSet<>(List.of(id));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (int[] p : cs.parityPairs()) {
                boolean a = members.contains(p[0]);
                boolean b = members.contains(p[1]);
                if (a != b) {
                    members.add(p[0]);
                    members.add(p[1]);
                    grew = true;
                }
            }
        }
        return members;
    }

    private static Unit unit(ChannelSpaces cs, TreeSet<Integer> members) {
        TreeSet<Integer> layers = new TreeSet<>();
        for (ChannelSpaces.LayerChannels lc : cs.layers()) {
            for (ChannelSpaces.ConvChannels cc : lc.convs().values()) {
                for (int id : members) {
                    if (contains(cc.in(), id) || contains(cc.out(), id)) {
                        layers.add(lc.layer());
                    }
                }
            }
        }
        Space first = cs.space(members.first());
        List<String> names = members.stream().map(id -> cs.space(id).name()).toList();
        return new Unit(first.name(), names, List.copyOf(layers), first.width());
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
