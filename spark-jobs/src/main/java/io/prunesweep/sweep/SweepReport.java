package io.prunesweep.sweep;

import io.prunesweep.pipeline.MetricKeys;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.plan.GridPoint;
import io.prunesweep.sweep.plan.SweepPlan;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The end-of-sweep summary: compute spent by the shared plan against running every point end to
 * end, and the best points (fewest parameters within {@link #MAP_TOLERANCE} mAP50-95 of the dense
 * baseline).
 */
public final class SweepReport {
    /**
     * "Within 1 % mAP50-95" as one percentage point on the 0..1 scale, as pruning papers report it.
     */
    public static final double MAP_TOLERANCE = 0.01;

    private final SweepPlan plan;
    private final List<PointOutcome> outcomes;
    private final double sharedSeconds;
    private final double endToEndSeconds;
    private final double runSeconds;
    private final long failedScans;

    SweepReport(SweepPlan plan, Map<String, StageResult> results, double runSeconds) {
        this.plan = plan;
        this.failedScans =
                plan.scans().stream()
                        .filter(t -> results.get(t.id()) == null || !results.get(t.id()).ok())
                        .count();
        this.outcomes = plan.points().stream().map(p -> PointOutcome.of(p, results)).toList();
        this.sharedSeconds =
                plan.tasksById().values().stream()
                        .mapToDouble(t -> PointOutcome.wall(results.get(t.id())))
                        .sum();
        this.endToEndSeconds =
                outcomes.stream()
                        .mapToDouble(
                                o ->
                                        PointOutcome.wall(o.dense())
                                                + PointOutcome.wall(o.sparse())
                                                + PointOutcome.wall(o.own()))
                        .sum();
        this.runSeconds = runSeconds;
    }

    /** Seconds of stage compute recorded in all result files (each shared stage counted once). */
    public double sharedSeconds() {
        return sharedSeconds;
    }

    /** Seconds it would take to run every point's dense, sparse and own stage separately. */
    public double endToEndSeconds() {
        return endToEndSeconds;
    }

    public long okPoints() {
        return outcomes.stream().filter(PointOutcome::ok).count();
    }

    /** Grid points not ok, plus the scan tasks of a sensitivity sweep that have no ok result. */
    public long failedPoints() {
        return outcomes.size() - okPoints() + failedScans;
    }

    /** OK points within tolerance of their seed's dense mAP50-95, fewest parameters first. */
    public List<GridPoint> best() {
        return outcomes.stream()
                .filter(PointOutcome::ok)
                .filter(
                        o -> {
                            Double base =
                                    PointOutcome.metric(
                                            o.dense(), MetricKeys.after(MetricKeys.MAP50_95));
                            Double map =
                                    PointOutcome.metric(
                                            o.own(), MetricKeys.after(MetricKeys.MAP50_95));
                            Double params =
                                    PointOutcome.metric(
                                            o.own(), MetricKeys.after(MetricKeys.PARAMS));
                            return base != null
                                    && map != null
                                    && params != null
                                    && map >= base - MAP_TOLERANCE;
                        })
                .sorted(
                        Comparator.comparingDouble(
                                o ->
                                        PointOutcome.metric(
                                                o.own(), MetricKeys.after(MetricKeys.PARAMS))))
                .map(PointOutcome::point)
                .toList();
    }

    void print(PrintStream out) {
        String id = "[" + plan.sweepId() + "] ";
        if (!plan.scans().isEmpty()) {
            out.printf(
                    "%s%d/%d scan tasks ok (%d sensitivity points), %d failed or not run; this run took %s; "
                            + "compute: %.1f s of stage time%n",
                    id,
                    plan.scans().size() - failedScans,
                    plan.scans().size(),
                    plan.scans().stream().mapToInt(t -> t.settings().scan().size()).sum(),
                    failedScans,
                    ConsoleProgress.format(Duration.ofSeconds(Math.round(runSeconds))),
                    sharedSeconds);
            return;
        }
        out.println(
                id
                        + okPoints()
                        + "/"
                        + outcomes.size()
                        + " points ok, "
                        + failedPoints()
                        + " failed or not run;"
                        + " this run took "
                        + ConsoleProgress.format(Duration.ofSeconds(Math.round(runSeconds))));
        for (PointOutcome o : outcomes) {
            if (!o.ok()) {
                out.println(
                        id
                                + "  "
                                + o.point().pointId()
                                + " "
                                + o.status()
                                + " in "
                                + o.failedStage()
                                + ": "
                                + (o.error() == null ? "" : o.error().split("\n")[0]));
            }
        }
        out.printf(
                "%scompute: %.1f s for the shared plan vs %.1f s to run every point end to end (%.1fx)%n",
                id,
                sharedSeconds,
                endToEndSeconds,
                sharedSeconds > 0 ? endToEndSeconds / sharedSeconds : 0.0);
        List<GridPoint> best = best();
        if (best.isEmpty()) {
            out.println(
                    id + "no point within " + MAP_TOLERANCE + " mAP50-95 of the dense baseline");
            return;
        }
        out.println(
                id + "best points (fewest params within " + MAP_TOLERANCE + " mAP50-95 of dense):");
        Map<String, PointOutcome> byId = new java.util.HashMap<>();
        outcomes.forEach(o -> byId.put(o.point().pointId(), o));
        for (GridPoint p : best.subList(0, Math.min(5, best.size()))) {
            PointOutcome o = byId.get(p.pointId());
            out.printf(
                    "%s  %s seed=%d lambda=%s method=%s ratio=%s params=%.0f (dense %.0f) mAP50-95=%.4f "
                            + "(dense %.4f)%n",
                    id,
                    p.pointId(),
                    p.seed(),
                    p.lambda(),
                    p.method(),
                    p.ratio(),
                    PointOutcome.metric(o.own(), MetricKeys.after(MetricKeys.PARAMS)),
                    orNaN(PointOutcome.metric(o.dense(), MetricKeys.after(MetricKeys.PARAMS))),
                    PointOutcome.metric(o.own(), MetricKeys.after(MetricKeys.MAP50_95)),
                    PointOutcome.metric(o.dense(), MetricKeys.after(MetricKeys.MAP50_95)));
        }
    }

    private static double orNaN(Double d) {
        return d == null ? Double.NaN : d;
    }
}
