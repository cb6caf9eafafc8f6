package io.prunesweep.prune;

import io.prunesweep.InputException;
import java.util.Locale;

/** How the ratio is applied: one threshold over all prunable channels, or the same ratio in every space. */
public enum Scope {
    GLOBAL,
    LOCAL;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope parse(String s) {
        for (Scope v : values()) {
            if (v.id().equals(s == null ? "" : s.toLowerCase(Locale.ROOT))) return v;
        }
        throw new InputException("unknown pruning scope '" + s + "': use global or local");
    }
}
