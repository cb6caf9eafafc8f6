package io.prunesweep.prune;

import io.prunesweep.Names;
import java.util.List;

/**
 * How the ratio is applied: one threshold over all prunable channels, or the same ratio in every
 * space.
 */
public enum Scope {
    GLOBAL,
    LOCAL;

    public String id() {
        return Names.id(this);
    }

    public static Scope parse(String s) {
        return Names.parse("pruning scope", s, List.of(values()), Scope::id);
    }
}
