package io.prunesweep.sweep;

import io.prunesweep.pipeline.MetricKeys;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.plan.GridPoint;
import java.util.Map;

/**
 * A grid point's outcome across its chain of stages: ok only when dense, sparse (if any) and its
 * own stage all succeeded; otherwise the first stage that failed (or never ran) explains why.
 */
record PointOutcome(
        GridPoint point,
        StageResult dense,
        StageResult sparse,
        StageResult own,
        String status,
        String error,
        String failedStage) {

    static final String OK = "ok";
    static final String FAILED = "failed";
    static final String NOT_RUN = "not_run";

    static PointOutcome of(GridPoint p, Map<String, StageResult> results) {
        StageResult dense = results.get(p.denseId());
        StageResult sparse = p.sparseId() == null ? null : results.get(p.sparseId());
        StageResult own = results.get(p.pointId());
        if (own != null && own.ok()) {
            return new PointOutcome(p, dense, sparse, own, OK, null, null);
        }
        if (dense == null || !dense.ok()) {
            return upstream(p, dense, sparse, own, "dense", p.denseId(), dense);
        }
        if (p.sparseId() != null && (sparse == null || !sparse.ok())) {
            return upstream(p, dense, sparse, own, "sparse", p.sparseId(), sparse);
        }
        if (own == null) {
            return new PointOutcome(
                    p,
                    dense,
                    sparse,
                    null,
                    NOT_RUN,
                    "the prune_finetune stage has no result yet",
                    "prune_finetune");
        }
        return new PointOutcome(p, dense, sparse, own, FAILED, own.error(), "prune_finetune");
    }

    private static PointOutcome upstream(
            GridPoint p,
            StageResult dense,
            StageResult sparse,
            StageResult own,
            String stage,
            String id,
            StageResult r) {
        if (r == null) {
            return new PointOutcome(
                    p,
                    dense,
                    sparse,
                    own,
                    NOT_RUN,
                    "the " + stage + " stage " + id + " has no result yet",
                    stage);
        }
        return new PointOutcome(
                p,
                dense,
                sparse,
                own,
                FAILED,
                stage + " stage " + id + " failed: " + r.error(),
                stage);
    }

    boolean ok() {
        return OK.equals(status);
    }

    static double wall(StageResult r) {
        if (r == null) {
            return 0;
        }
        Double w = r.durations().get(StageResult.WALL);
        return w != null
                ? w
                : r.durations().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /**
     * Non-finite losses replayed in this point's chain (dense, sparse, its own finetune): each is a
     * backend warning.
     */
    int nanRecoveries() {
        int n = 0;
        for (StageResult r : new StageResult[] {dense, sparse, own}) {
            Double v = metric(r, MetricKeys.NAN_RECOVERIES);
            if (v != null) {
                n += v.intValue();
            }
        }
        return n;
    }

    static Double metric(StageResult r, String key) {
        return r == null ? null : r.metrics().get(key);
    }
}
