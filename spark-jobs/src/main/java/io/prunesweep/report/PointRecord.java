package io.prunesweep.report;

import java.util.Map;

/**
 * One row of the {@code points} table, reduced to what the report shows. Every column of the table
 * is nullable, so every boxed field here may be null; {@code extra} is never null (empty when the
 * row had none). {@code dense} is the dense baseline of the point's seed (the table has its params,
 * mAP50 and mAP50-95).
 */
public record PointRecord(
        String sweepId,
        String pointId,
        String denseId,
        String sparseId,
        Long seed,
        Double lambda,
        String method,
        Double ratio,
        String scope,
        String status,
        String error,
        String failedStage,
        ModelMetrics dense,
        ModelMetrics before,
        ModelMetrics after,
        Map<String, Double> extra,
        Double denseSeconds,
        Double sparseSeconds,
        Double pruneFinetuneSeconds,
        String startedAt,
        String finishedAt) {

    public static final String OK = "ok";
    public static final String FAILED = "failed";
    public static final String NOT_RUN = "not_run";

    /**
     * Keys under which the reader puts the {@code reconstruct} and {@code after_prune_map50_95}
     * columns in extra.
     */
    static final String RECONSTRUCT = "point.reconstruct";

    static final String AFTER_PRUNE_MAP50_95 = "point.after_prune_map50_95";

    /** Key of the reconstruction's seconds (the {@code durations} column's) in extra. */
    static final String RECONSTRUCT_SECONDS = "point.reconstruct_seconds";

    /** Bins of the |γ| histogram the engine reports ({@code before.gamma_hist_0..6}). */
    public static final int GAMMA_BINS = 7;

    static final String GAMMA_HIST = "gamma_hist_";
    static final String GAMMA_MEAN_ABS = "gamma_mean_abs";
    static final String GAMMA_MEAN_ABS_KEY = "before." + GAMMA_MEAN_ABS;

    public PointRecord {
        dense = dense == null ? ModelMetrics.NONE : dense;
        before = before == null ? ModelMetrics.NONE : before;
        after = after == null ? ModelMetrics.NONE : after;
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public boolean ok() {
        return OK.equals(status);
    }

    /**
     * λ of the sparse stage; a missing value counts as 0 (no sparse stage), as the sweep writes it.
     */
    public double lambdaOrZero() {
        return lambda == null ? 0.0 : lambda;
    }

    public Double denseParams() {
        return dense.params();
    }

    public Double denseMap5095() {
        return dense.map5095();
    }

    /**
     * After-pruning mAP50-95 minus the dense baseline of the point's seed, or null when either is
     * missing.
     */
    public Double deltaMap5095() {
        return after.map5095() == null || dense.map5095() == null
                ? null
                : after.map5095() - dense.map5095();
    }

    /**
     * Counts of BN |γ| per log bin of the model going into pruning, or null when the engine did not
     * report all {@value #GAMMA_BINS} bins.
     */
    public double[] gammaHistogram() {
        return gammaHistogram(extra, "before.");
    }

    public Double gammaMeanAbs() {
        return extra.get(GAMMA_MEAN_ABS_KEY);
    }

    /**
     * The engine's |γ| histogram under {@code <prefix>gamma_hist_0..6} in a metrics map, or null if
     * incomplete.
     */
    static double[] gammaHistogram(Map<String, Double> metrics, String prefix) {
        double[] counts = new double[GAMMA_BINS];
        for (int i = 0; i < GAMMA_BINS; i++) {
            Double c = metrics.get(prefix + GAMMA_HIST + i);
            if (c == null || c.isNaN()) {
                return null;
            }
            counts[i] = c;
        }
        return counts;
    }

    /** Whether the point re-fitted the pruned network by least squares before finetuning. */
    public boolean reconstruct() {
        return extra.getOrDefault(RECONSTRUCT, 0.0) > 0;
    }

    /** Unstructured (weight-level) pruning: dense shapes, zeros in the conv weights. */
    public boolean unstructured() {
        return "unstructured".equals(method);
    }

    /** mAP50-95 of the pruned (and re-fitted) model before finetuning, or null. */
    public Double afterPruneMap5095() {
        return extra.get(AFTER_PRUNE_MAP50_95);
    }

    /** Wall seconds of the least-squares re-fit, or null (no reconstruction). */
    public Double reconstructSeconds() {
        return extra.get(RECONSTRUCT_SECONDS);
    }

    /** A short label for tables and legends: {@code bn λ=0.001 r=0.4}. */
    public String settingsLabel() {
        return method + " λ=" + Format.number(lambdaOrZero()) + " r=" + Format.number(ratio);
    }
}
