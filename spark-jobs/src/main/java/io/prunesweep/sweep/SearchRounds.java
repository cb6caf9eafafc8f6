package io.prunesweep.sweep;

import io.prunesweep.pipeline.MetricKeys;
import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.plan.GridPoint;
import io.prunesweep.sweep.plan.StageTask;
import io.prunesweep.sweep.plan.SweepPlan;
import io.prunesweep.sweep.plan.SweepPlanner;
import io.prunesweep.sweep.search.Halving;
import io.prunesweep.sweep.search.KneeSearch;
import io.prunesweep.sweep.search.Proposal;
import io.prunesweep.sweep.search.SearchRow;
import io.prunesweep.sweep.search.SearchTag;
import io.prunesweep.sweep.search.Series;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;

/**
 * The rounds of a sweep's {@code search:} after the grid: ask the planner ({@link KneeSearch},
 * {@link Halving}) for the next points from the results so far, run them as one more Spark job on
 * the shared dense and sparse stages, and repeat. The planners are pure and the results are files,
 * so a re-run recomputes the same rounds, finds their points done and resumes where the last run
 * stopped, without adding a row.
 */
final class SearchRounds {
    private SearchRounds() {}

    /**
     * Runs the rounds; returns the plan with every added point; {@code tags} receives each point's
     * round.
     */
    static SweepPlan run(
            SweepConfig c,
            SweepPlan plan,
            StageJobs jobs,
            Map<String, StageResult> results,
            Map<String, SearchTag> tags,
            Configuration conf,
            PrintStream console,
            java.util.function.IntConsumer planned) {
        SweepConfig.Search s = c.search();
        if (s == null || s.mode() == null) {
            return plan;
        }
        boolean knee = SweepConfig.Search.KNEE.equals(s.mode());
        int full = c.epochs().finetune();
        int first = Halving.firstEpochs(full, s.eta(), s.rounds(), s.epochs());
        for (int round = 1; round <= s.rounds(); round++) {
            List<SearchRow> rows = rows(plan, results, tags);
            List<Proposal> proposals =
                    knee
                            ? KneeSearch.next(rows, s.tolerance(), s.width(), round)
                            : Halving.next(rows, s.eta(), round, s.rounds(), first, full);
            Set<String> known =
                    plan.points().stream().map(GridPoint::pointId).collect(Collectors.toSet());
            List<GridPoint> added = new ArrayList<>();
            for (Proposal p : proposals) {
                GridPoint point = point(c, plan, p);
                if (known.add(point.pointId())) {
                    added.add(point);
                    tags.put(point.pointId(), new SearchTag(round, p.reason()));
                    if (p.resumeRatioEpochs() > 0) {
                        carryOver(plan, p, point, results, conf);
                    }
                }
            }
            if (added.isEmpty()) {
                console.println(
                        "["
                                + plan.sweepId()
                                + "] search "
                                + s.mode()
                                + ": done after round "
                                + (round - 1)
                                + (knee
                                        ? " (every bracket is at most "
                                                + s.width()
                                                + " wide, or no series has one)"
                                        : " (one series left, or the full budget reached)"));
                return plan;
            }
            console.println(
                    "["
                            + plan.sweepId()
                            + "] search "
                            + s.mode()
                            + " round "
                            + round
                            + ": "
                            + added.size()
                            + " points");
            added.forEach(
                    g ->
                            console.println(
                                    "  " + g.pointId() + " " + tags.get(g.pointId()).reason()));
            plan = plan.withPoints(added);
            planned.accept(added.size());
            List<StageTask> tasks = added.stream().map(GridPoint::task).toList();
            jobs.done(tasks, results);
            jobs.run(StageKind.PRUNE_FINETUNE, tasks, results);
        }
        console.println(
                "["
                        + plan.sweepId()
                        + "] search "
                        + s.mode()
                        + ": "
                        + s.rounds()
                        + " rounds spent");
        return plan;
    }

    /** The planner's view of the points table. */
    static List<SearchRow> rows(
            SweepPlan plan, Map<String, StageResult> results, Map<String, SearchTag> tags) {
        List<SearchRow> rows = new ArrayList<>();
        for (GridPoint p : plan.points()) {
            PointOutcome o = PointOutcome.of(p, results);
            SearchTag tag = tags.getOrDefault(p.pointId(), SearchTag.GRID);
            rows.add(
                    new SearchRow(
                            new Series(p.seed(), p.lambda(), p.method()),
                            p.ratio(),
                            p.task().settings().epochs(),
                            tag.round(),
                            o.ok(),
                            PointOutcome.metric(o.dense(), MetricKeys.after(MetricKeys.MAP50_95)),
                            o.ok()
                                    ? PointOutcome.metric(
                                            o.own(), MetricKeys.after(MetricKeys.MAP50_95))
                                    : null,
                            o.ok()
                                    ? PointOutcome.metric(
                                            o.own(), MetricKeys.after(MetricKeys.PARAMS))
                                    : null));
        }
        return rows;
    }

    private static GridPoint point(SweepConfig c, SweepPlan plan, Proposal p) {
        GridPoint sibling =
                plan.points().stream()
                        .filter(
                                g ->
                                        g.seed() == p.series().seed()
                                                && g.lambda() == p.series().lambda())
                        .findFirst()
                        .orElseThrow();
        StageTask dense =
                plan.dense().stream()
                        .filter(t -> t.id().equals(sibling.denseId()))
                        .findFirst()
                        .orElseThrow();
        return SweepPlanner.point(
                c,
                dense,
                p.series().lambda(),
                sibling.sparseId(),
                p.series().method(),
                p.ratio(),
                p.epochs());
    }

    /**
     * Halving continues a promoted point from the short-budget run of the same (series, ratio): its
     * pruned model and finetune folder (last/best checkpoints, results.csv) are copied into the new
     * point's folder, where the engine's resume picks them up and trains on to the new budget. The
     * folder arrives under a temporary name and is renamed, so an interrupted copy is never
     * mistaken for a checkpoint.
     */
    private static void carryOver(
            SweepPlan plan,
            Proposal p,
            GridPoint to,
            Map<String, StageResult> results,
            Configuration conf) {
        StageResult own = results.get(to.pointId());
        if (own != null && own.ok()) {
            return;
        }
        GridPoint from =
                plan.points().stream()
                        .filter(
                                g ->
                                        g.seed() == p.series().seed()
                                                && g.lambda() == p.series().lambda()
                                                && g.method().equals(p.series().method())
                                                && g.ratio() == p.ratio()
                                                && g.task().settings().epochs()
                                                        == p.resumeRatioEpochs())
                        .findFirst()
                        .orElse(null);
        if (from == null) {
            return;
        }
        try {
            Path src = new Path(from.task().outputDir());
            Path dst = new Path(to.task().outputDir());
            FileSystem fs = dst.getFileSystem(conf);
            if (fs.exists(new Path(dst, "finetune/last.safetensors"))) {
                return; // carried over (or trained) already
            }
            FileSystem srcFs = src.getFileSystem(conf);
            if (!srcFs.exists(new Path(src, "finetune/last.safetensors"))) {
                return; // nothing to continue: train afresh
            }
            fs.mkdirs(dst);
            FileUtil.copy(
                    srcFs,
                    new Path(src, "pruned.safetensors"),
                    fs,
                    new Path(dst, "pruned.safetensors"),
                    false,
                    true,
                    conf);
            Path tmp = new Path(dst, ".finetune-carried");
            fs.delete(tmp, true);
            fs.delete(new Path(dst, "finetune"), true);
            FileUtil.copy(srcFs, new Path(src, "finetune"), fs, tmp, false, true, conf);
            if (!fs.rename(tmp, new Path(dst, "finetune"))) {
                throw new IOException("cannot rename " + tmp + " to finetune");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot carry the short-budget run of "
                            + from.pointId()
                            + " over to "
                            + to.pointId(),
                    e);
        }
    }

    /** Every point's tag, grid points included, for the table. */
    static Map<String, SearchTag> complete(SweepPlan plan, Map<String, SearchTag> tags) {
        Map<String, SearchTag> all = new LinkedHashMap<>();
        plan.points()
                .forEach(p -> all.put(p.pointId(), tags.getOrDefault(p.pointId(), SearchTag.GRID)));
        return all;
    }
}
