package io.prunesweep.sweep.plan;

import io.prunesweep.pipeline.StageKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The expanded sweep: shared dense and sparse stages plus one prune+finetune stage per grid point,
 * in the order they must run.
 */
public record SweepPlan(
        String sweepId,
        String output,
        List<StageTask> dense,
        List<StageTask> sparse,
        List<GridPoint> points,
        List<StageTask> scans) {

    public SweepPlan {
        dense = List.copyOf(dense);
        sparse = List.copyOf(sparse);
        points = List.copyOf(points);
        scans = scans == null ? List.of() : List.copyOf(scans);
    }

    /** A grid plan (no sensitivity scan). */
    public SweepPlan(
            String sweepId,
            String output,
            List<StageTask> dense,
            List<StageTask> sparse,
            List<GridPoint> points) {
        this(sweepId, output, dense, sparse, points, List.of());
    }

    /**
     * The same plan with more grid points (an adaptive search's next round); the shared stages
     * stay.
     */
    public SweepPlan withPoints(List<GridPoint> more) {
        List<GridPoint> all = new java.util.ArrayList<>(points);
        all.addAll(more);
        return new SweepPlan(sweepId, output, dense, sparse, all, scans);
    }

    public List<StageTask> pointTasks() {
        return points.stream().map(GridPoint::task).toList();
    }

    /** The stages in run order; each entry is one Spark job. */
    public Map<StageKind, List<StageTask>> stages() {
        Map<StageKind, List<StageTask>> m = new LinkedHashMap<>();
        m.put(StageKind.DENSE, dense);
        m.put(StageKind.SPARSE, sparse);
        m.put(StageKind.PRUNE_FINETUNE, pointTasks());
        if (!scans.isEmpty()) {
            m.put(StageKind.SENSITIVITY, scans);
        }
        return m;
    }

    public Map<String, StageTask> tasksById() {
        Map<String, StageTask> m = new LinkedHashMap<>();
        stages().values().forEach(list -> list.forEach(t -> m.put(t.id(), t)));
        return m;
    }

    public int stageTaskCount() {
        return dense.size() + sparse.size() + points.size() + scans.size();
    }

    public String tablesDir() {
        return SweepPlanner.join(output, "tables");
    }

    /** "12 points; shared plan = 1 dense + 2 sparse + 12 finetunes vs 12 full pipelines". */
    public String costSummary() {
        if (!scans.isEmpty()) {
            int items = scans.stream().mapToInt(t -> t.settings().scan().size()).sum();
            return items
                    + " sensitivity points (one space pruned at one ratio, no finetune) in "
                    + scans.size()
                    + " scan tasks; shared plan = "
                    + dense.size()
                    + " dense + "
                    + sparse.size()
                    + " sparse";
        }
        return points.size()
                + " points; shared plan = "
                + dense.size()
                + " dense + "
                + sparse.size()
                + " sparse + "
                + points.size()
                + " finetunes vs "
                + points.size()
                + " full pipelines";
    }
}
