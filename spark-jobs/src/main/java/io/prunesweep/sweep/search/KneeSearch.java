package io.prunesweep.sweep.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code search: {mode: knee}}: per series, the knee lies between the largest ratio still within
 * {@code tolerance} of dense (mAP50-95) and the smallest ratio outside it; each round adds the
 * midpoint of that bracket until it is at most {@code width} wide. Ratios above the first one
 * outside are ignored (a noisy curve may recover), and a series whose every ratio is within has no
 * bracket (the knee lies beyond the grid). Pure functions of the results table.
 */
public final class KneeSearch {
    private KneeSearch() {}

    /**
     * The bracket of a series: {@code lo} within tolerance (0 = dense itself), {@code hi} outside.
     */
    public record Bracket(double lo, double hi, Double loDelta, double hiDelta) {
        public double width() {
            return hi - lo;
        }
    }

    /** The bracket per series that has one (a point outside the tolerance), from the ok rows. */
    public static Map<Series, Bracket> brackets(List<SearchRow> rows, double tolerance) {
        Map<Series, List<SearchRow>> bySeries = new TreeMap<>();
        for (SearchRow r : rows) {
            if (r.ok() && r.map() != null && r.denseMap() != null) {
                bySeries.computeIfAbsent(r.series(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<Series, Bracket> out = new TreeMap<>();
        bySeries.forEach(
                (series, points) -> {
                    points.sort(Comparator.comparingDouble(SearchRow::ratio));
                    SearchRow outside = null;
                    for (SearchRow p : points) {
                        if (p.denseMap() - p.map() > tolerance + 1e-12) {
                            outside = p;
                            break;
                        }
                    }
                    if (outside == null) {
                        return;
                    }
                    SearchRow within = null;
                    for (SearchRow p : points) {
                        if (p.ratio() < outside.ratio()) {
                            within = p;
                        }
                    }
                    out.put(
                            series,
                            new Bracket(
                                    within == null ? 0 : within.ratio(),
                                    outside.ratio(),
                                    within == null ? null : within.map() - within.denseMap(),
                                    outside.map() - outside.denseMap()));
                });
        return out;
    }

    /**
     * The points round {@code round} adds: the midpoint of every bracket wider than {@code width}.
     * A midpoint that already has a row (a failed point there) is not proposed again, so a failure
     * cannot loop the search.
     */
    public static List<Proposal> next(
            List<SearchRow> rows, double tolerance, double width, int round) {
        List<Proposal> out = new ArrayList<>();
        brackets(rows, tolerance)
                .forEach(
                        (series, b) -> {
                            if (b.width() <= width + 1e-9) {
                                return;
                            }
                            double mid = round6((b.lo() + b.hi()) / 2);
                            boolean known =
                                    rows.stream()
                                            .anyMatch(
                                                    r ->
                                                            r.series().equals(series)
                                                                    && Math.abs(r.ratio() - mid)
                                                                            < 1e-9);
                            if (known) {
                                return;
                            }
                            int epochs =
                                    rows.stream()
                                            .filter(r -> r.series().equals(series))
                                            .mapToInt(SearchRow::epochs)
                                            .max()
                                            .orElse(0);
                            String reason =
                                    String.format(
                                            Locale.ROOT,
                                            "knee round %d: midpoint of [%s, %s] (delta %s within, %+.4f outside tolerance %s)",
                                            round,
                                            plain(b.lo()),
                                            plain(b.hi()),
                                            b.loDelta() == null
                                                    ? "dense"
                                                    : String.format(
                                                            Locale.ROOT, "%+.4f", b.loDelta()),
                                            b.hiDelta(),
                                            plain(tolerance));
                            out.add(new Proposal(series, mid, epochs, round, reason, 0));
                        });
        return out;
    }

    /** Ratios as short decimals: 0.30000000000000004 would be a different point id from 0.3. */
    static double round6(double r) {
        return Math.round(r * 1e6) / 1e6;
    }

    static String plain(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
