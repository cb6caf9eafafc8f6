package io.prunesweep.sweep.search;

import java.util.Locale;

/**
 * One (seed, lambda, method) line of a sweep: the unit a search refines (knee) or keeps and drops
 * (halving).
 */
public record Series(long seed, double lambda, String method) implements Comparable<Series> {
    @Override
    public int compareTo(Series o) {
        int c = Long.compare(seed, o.seed);
        if (c == 0) {
            c = Double.compare(lambda, o.lambda);
        }
        return c != 0 ? c : method.compareTo(o.method);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%s lambda %s seed %d",
                method,
                java.math.BigDecimal.valueOf(lambda).stripTrailingZeros().toPlainString(),
                seed);
    }
}
