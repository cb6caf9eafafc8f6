package io.prunesweep.prune;

import io.prunesweep.InputException;
import java.util.Locale;

/** Channel importance criterion. */
public enum Method {
    /** |γ| of the producing BatchNorms (Network Slimming, Liu et al. 2017). */
    BN,
    /** L1 norm of the producing filters (Li et al., "Pruning Filters for Efficient ConvNets"). */
    L1,
    /** L2 norm of the producing filters. */
    L2,
    /** Seeded uniform random scores: the baseline every criterion should beat. */
    RANDOM,
    /**
     * Not a channel criterion: weight-level magnitude pruning that keeps the dense shapes
     * ({@link io.prunesweep.prune.unstructured.MagnitudePruner}), the baseline structured pruning is compared with.
     */
    UNSTRUCTURED;

    /** The channel criteria (every method but {@link #UNSTRUCTURED}), which rank channels for structured pruning. */
    public static java.util.List<Method> channelCriteria() {
        return java.util.Arrays.stream(values()).filter(m -> m != UNSTRUCTURED).toList();
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String s) {
        for (Method m : values()) {
            if (m.id().equals(s == null ? "" : s.toLowerCase(Locale.ROOT))) return m;
        }
        throw new InputException("unknown pruning method '" + s + "': use bn, l1, l2, random or unstructured");
    }
}
