package io.prunesweep.report;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The header of the report: which sweep, how many points ended how, and the compute spent.
 *
 * @param computeSeconds stage wall time with each shared dense/sparse stage counted once (what the
 *     sweep cost)
 * @param endToEndSeconds the same points run as separate full pipelines (what sharing saved
 *     against)
 */
public record SweepSummary(
        List<String> sweepIds,
        int points,
        int ok,
        int failed,
        int notRun,
        int otherStatus,
        double computeSeconds,
        double endToEndSeconds,
        String firstStart,
        String lastFinish) {

    public static SweepSummary of(List<PointRecord> rows) {
        Set<String> ids = new LinkedHashSet<>();
        Map<String, Double> dense = new HashMap<>();
        Map<String, Double> sparse = new HashMap<>();
        int ok = 0;
        int failed = 0;
        int notRun = 0;
        double own = 0;
        double endToEnd = 0;
        String start = null;
        String finish = null;
        for (PointRecord p : rows) {
            if (p.sweepId() != null) {
                ids.add(p.sweepId());
            }
            String s = Objects.requireNonNullElse(p.status(), "");
            switch (s) {
                case PointRecord.OK -> ok++;
                case PointRecord.FAILED -> failed++;
                case PointRecord.NOT_RUN -> notRun++;
                default -> {}
            }
            if (p.denseId() != null && p.denseSeconds() != null) {
                dense.putIfAbsent(p.denseId(), p.denseSeconds());
            }
            if (p.sparseId() != null && p.sparseSeconds() != null) {
                sparse.putIfAbsent(p.sparseId(), p.sparseSeconds());
            }
            own += orZero(p.pruneFinetuneSeconds());
            endToEnd +=
                    orZero(p.denseSeconds())
                            + orZero(p.sparseSeconds())
                            + orZero(p.pruneFinetuneSeconds());
            // ISO-8601 instants in UTC compare correctly as strings.
            if (p.startedAt() != null && (start == null || p.startedAt().compareTo(start) < 0)) {
                start = p.startedAt();
            }
            if (p.finishedAt() != null
                    && (finish == null || p.finishedAt().compareTo(finish) > 0)) {
                finish = p.finishedAt();
            }
        }
        double shared = own + sum(dense) + sum(sparse);
        return new SweepSummary(
                List.copyOf(ids),
                rows.size(),
                ok,
                failed,
                notRun,
                rows.size() - ok - failed - notRun,
                shared,
                endToEnd,
                start,
                finish);
    }

    /** The sweep id for titles; several ids (a table someone merged) are joined. */
    public String title() {
        return sweepIds.isEmpty() ? "(no sweep id)" : String.join(", ", sweepIds);
    }

    private static double sum(Map<String, Double> m) {
        return m.values().stream().mapToDouble(SweepSummary::orZero).sum();
    }

    private static double orZero(Double d) {
        return d == null || d.isNaN() ? 0.0 : d;
    }
}
