package io.prunesweep.report;

import io.prunesweep.sweep.ResultTables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A synthetic 100-point sweep written as the real {@code points}/{@code epochs} Parquet tables (the
 * sweep's own Spark schema): 4 methods x 5 λ x 5 ratios, one failed point (an error full of HTML),
 * one not_run point, points with missing GFLOPs/FPS, and points without γ histograms or without any
 * extra metrics.
 */
final class SampleSweep {
    private SampleSweep() {}

    static final String SWEEP_ID = "sample";
    static final List<String> METHODS = List.of("bn", "l1", "l2", "random");
    static final List<Double> LAMBDAS = List.of(0.0, 1e-4, 1e-3, 1e-2, 5e-2);
    static final List<Double> RATIOS = List.of(0.1, 0.3, 0.5, 0.7, 0.9);
    static final double DENSE_PARAMS = 3.0e6;
    static final double DENSE_MAP = 0.45;
    static final String FAILED_ERROR =
            "java.lang.IllegalStateException: layer model.4 would keep 0 < min_channels"
                    + " & \"8\"\n\tat io.prunesweep.prune.Rebuild.<init>(Rebuild.java:42)\n<script>alert('x')</script>";

    /** 1 dense (600 s) + 4 sparse (300 s each) + 98 finetunes of 120 s + the failed one's 10 s. */
    static final double COMPUTE_SECONDS = 600 + 4 * 300 + 98 * 120 + 10;

    /** Charts: 3 trade-offs, 4 γ histograms (one per λ > 0), 3 training-curve charts. */
    static final int CHARTS = 10;

    static boolean failed(String method, double lambda, double ratio) {
        return method.equals("random") && lambda == 5e-2 && ratio == 0.9;
    }

    static boolean notRun(String method, double lambda, double ratio) {
        return method.equals("random") && lambda == 5e-2 && ratio == 0.7;
    }

    /** Writes {@code <output>/tables/points} and {@code <output>/tables/epochs}. */
    static void write(SparkSession spark, String output) {
        List<Row> points = new ArrayList<>();
        List<Row> epochs = new ArrayList<>();
        for (int e = 0; e < 5; e++) {
            epochs.add(
                    epoch(
                            "dense",
                            "d-0",
                            null,
                            null,
                            null,
                            "dense",
                            e,
                            3.0 - 0.4 * e,
                            0.20 + 0.05 * e));
        }
        int n = 0;
        for (double lambda : LAMBDAS) {
            String sparseId = lambda == 0 ? null : "s-" + LAMBDAS.indexOf(lambda);
            if (sparseId != null) {
                for (int e = 0; e < 5; e++) {
                    epochs.add(
                            epoch(
                                    "sparse",
                                    sparseId,
                                    lambda,
                                    null,
                                    null,
                                    "sparse",
                                    e,
                                    2.0 - 0.1 * e + lambda,
                                    0.44 - 2 * lambda + 0.001 * e));
                }
            }
            for (String method : METHODS) {
                for (double ratio : RATIOS) {
                    String id = String.format("p-%02d", n++);
                    points.add(point(id, sparseId, method, lambda, ratio));
                    if (!failed(method, lambda, ratio) && !notRun(method, lambda, ratio)) {
                        for (int e = 0; e < 3; e++) {
                            epochs.add(
                                    epoch(
                                            "prune_finetune",
                                            id,
                                            lambda,
                                            method,
                                            ratio,
                                            "finetune",
                                            e,
                                            1.5 - 0.1 * e,
                                            e == 0 ? null : map(method, lambda, ratio) - 0.01 / e));
                        }
                    }
                }
            }
        }
        spark.createDataFrame(points, ResultTables.POINTS)
                .coalesce(1)
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(output + "/tables/points");
        spark.createDataFrame(epochs, ResultTables.EPOCHS)
                .coalesce(1)
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(output + "/tables/epochs");
    }

    static double map(String method, double lambda, double ratio) {
        double quality =
                switch (method) {
                    case "bn" -> 1.0;
                    case "l1" -> 1.2;
                    case "l2" -> 1.25;
                    default -> 2.0;
                };
        return DENSE_MAP - quality * ratio * ratio * 0.25 / (1 + 200 * lambda) - 0.5 * lambda;
    }

    private static Row point(
            String id, String sparseId, String method, double lambda, double ratio) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("sweep_id", SWEEP_ID);
        v.put("point_id", id);
        v.put("dense_id", "d-0");
        v.put("sparse_id", sparseId);
        v.put("seed", 0L);
        v.put("lambda", lambda);
        v.put("method", method);
        v.put("ratio", ratio);
        v.put("scope", "global");
        v.put("dense_params", DENSE_PARAMS);
        v.put("dense_map50", 0.62);
        v.put("dense_map50_95", DENSE_MAP);
        v.put("dense_seconds", 600.0);
        v.put("sparse_seconds", sparseId == null ? null : 300.0);
        double beforeMap = DENSE_MAP - 0.5 * lambda;
        v.put("before_params", DENSE_PARAMS);
        v.put("before_gflops", 8.2);
        v.put("before_map50_95", beforeMap);
        v.put("before_fps", 120.0);
        if (failed(method, lambda, ratio)) {
            v.put("status", "failed");
            v.put("error", FAILED_ERROR);
            v.put("failed_stage", "prune_finetune");
            v.put("prune_finetune_seconds", 10.0);
        } else if (notRun(method, lambda, ratio)) {
            v.put("status", "not_run");
            v.put("error", "the prune_finetune stage has no result yet");
            v.put("failed_stage", "prune_finetune");
        } else {
            double keep = 1 - ratio;
            v.put("status", "ok");
            v.put("after_params", Math.round(DENSE_PARAMS * Math.pow(keep, 1.5)) * 1.0);
            v.put("after_map50", map(method, lambda, ratio) + 0.17);
            v.put("after_map50_95", map(method, lambda, ratio));
            boolean unmeasured = method.equals("l2") && lambda == 1e-4 && ratio == 0.1;
            v.put("after_gflops", unmeasured ? null : 8.2 * Math.pow(keep, 1.5));
            v.put("after_fps", unmeasured ? null : 120.0 / Math.pow(keep, 1.2));
            v.put("prune_finetune_seconds", 120.0);
            v.put("started_at", "2025-01-01T10:%02d:00Z".formatted(RATIOS.indexOf(ratio)));
            v.put("finished_at", "2025-01-01T11:%02d:00Z".formatted(RATIOS.indexOf(ratio)));
        }
        // γ histograms of the model going into pruning: bn and l1 rows carry them, l2 has an empty
        // map,
        // random none at all (null column).
        if (method.equals("bn") || method.equals("l1")) {
            Map<String, Double> extra = new LinkedHashMap<>();
            double[] hist = gammaHistogram(lambda);
            for (int i = 0; i < hist.length; i++) {
                extra.put("before.gamma_hist_" + i, hist[i]);
            }
            extra.put("before.gamma_mean_abs", 0.8 / (1 + 100 * lambda));
            v.put("extra_metrics", extra);
        } else if (method.equals("l2")) {
            v.put("extra_metrics", Map.of());
        }
        return row(ResultTables.POINTS, v);
    }

    /** The dense model: most |γ| in [0.1, 1); stronger λ moves channels to the bins below 1e-2. */
    static double[] gammaHistogram(double lambda) {
        double moved = Math.min(0.9, lambda * 30);
        double[] dense = {2, 3, 5, 20, 120, 30, 0};
        double[] h = dense.clone();
        double shift = (h[4] + h[3]) * moved;
        h[4] -= h[4] * moved;
        h[3] -= h[3] * moved;
        h[0] += shift * 0.5;
        h[1] += shift * 0.3;
        h[2] += shift * 0.2;
        return h;
    }

    private static Row epoch(
            String stage,
            String stageId,
            Double lambda,
            String method,
            Double ratio,
            String phase,
            int epoch,
            double loss,
            Double map) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("sweep_id", SWEEP_ID);
        v.put("stage", stage);
        v.put("stage_id", stageId);
        v.put("seed", 0L);
        v.put("lambda", lambda);
        v.put("method", method);
        v.put("ratio", ratio);
        v.put("phase", phase);
        v.put("epoch", epoch);
        v.put("box_loss", loss * 0.5);
        v.put("cls_loss", loss * 0.3);
        v.put("dfl_loss", loss * 0.2);
        v.put("map50_95", map);
        return row(ResultTables.EPOCHS, v);
    }

    /**
     * A row in schema order from column names; an unknown name fails (the schema changed under the
     * test).
     */
    static Row row(StructType schema, Map<String, Object> values) {
        Object[] row = new Object[schema.size()];
        values.forEach(
                (name, value) ->
                        row[schema.fieldIndex(name)] =
                                value instanceof Map<?, ?> m
                                        ? scala.jdk.javaapi.CollectionConverters.asScala(
                                                new LinkedHashMap<>(m))
                                        : value);
        return RowFactory.create(row);
    }
}
