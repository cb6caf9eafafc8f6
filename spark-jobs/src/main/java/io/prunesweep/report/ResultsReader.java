package io.prunesweep.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.prunesweep.InputException;
import io.prunesweep.pipeline.StageFiles;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.ResultTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads {@code tables/points} and {@code tables/epochs} with Spark from any Hadoop URI and collects
 * them to the driver (a sweep has hundreds of points, not millions). Columns the report uses but an
 * older table lacks read as null, so the report degrades instead of failing.
 */
public final class ResultsReader {
    private static final List<String> POINT_COLUMNS =
            List.of(
                    "sweep_id",
                    "point_id",
                    "dense_id",
                    "sparse_id",
                    "seed",
                    "lambda",
                    "method",
                    "ratio",
                    "scope",
                    "status",
                    "error",
                    "failed_stage",
                    "dense_params",
                    "dense_map50",
                    "dense_map50_95",
                    "before_params",
                    "before_gflops",
                    "before_map50",
                    "before_map50_95",
                    "before_fps",
                    "before_latency_p50_ms",
                    "after_params",
                    "after_gflops",
                    "after_map50",
                    "after_map50_95",
                    "after_fps",
                    "after_latency_p50_ms",
                    "after_nonzero_params",
                    "reconstruct",
                    "after_prune_map50_95",
                    "extra_metrics",
                    "durations",
                    "dense_seconds",
                    "sparse_seconds",
                    "prune_finetune_seconds",
                    "started_at",
                    "finished_at");
    private static final List<String> EPOCH_COLUMNS =
            List.of(
                    "stage",
                    "stage_id",
                    "seed",
                    "lambda",
                    "method",
                    "ratio",
                    "phase",
                    "epoch",
                    "box_loss",
                    "cls_loss",
                    "dfl_loss",
                    "map50_95");

    private final SparkSession spark;

    public ResultsReader(SparkSession spark) {
        this.spark = spark;
    }

    public SweepResults read(ResultsLocation where) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        requirePoints(where, conf);
        List<PointRecord> points =
                select(where.pointsDir(), ResultTables.POINTS, POINT_COLUMNS).stream()
                        .map(ResultsReader::point)
                        .toList();
        List<EpochRecord> epochs =
                exists(where.epochsDir(), conf)
                        ? select(where.epochsDir(), ResultTables.EPOCHS, EPOCH_COLUMNS).stream()
                                .map(ResultsReader::epoch)
                                .toList()
                        : List.of();
        return new SweepResults(
                where.tablesDir(), points, epochs, denseStages(where, points, conf));
    }

    /**
     * Metrics of each dense stage's result.json ({@code <output>/stages/dense/<id>/}, see
     * SCHEMA.md). Optional extras: a missing or unreadable file (tables copied without the stages)
     * only leaves the values out.
     */
    private static Map<String, Map<String, Double>> denseStages(
            ResultsLocation where, List<PointRecord> points, Configuration conf) {
        Map<String, Map<String, Double>> out = new HashMap<>();
        for (String id :
                points.stream()
                        .map(PointRecord::denseId)
                        .filter(Objects::nonNull)
                        .distinct()
                        .toList()) {
            try {
                StageResult r =
                        StageFiles.readResult(
                                StageFiles.child(where.sweepOutput(), "stages/dense/" + id), conf);
                if (r != null && r.ok()) {
                    out.put(id, r.metrics());
                }
            } catch (IOException | RuntimeException e) {
                // not there or not readable: the report falls back to what the tables hold
            }
        }
        return out;
    }

    /** Fails with a message saying what {@code --results} must be when there is no points table. */
    public static void requirePoints(ResultsLocation where, Configuration conf) {
        if (!exists(where.pointsDir(), conf)) {
            throw new InputException(
                    "no points table at "
                            + where.pointsDir()
                            + ": --results must be a sweep's "
                            + "output URI (the directory holding tables/points) or its tables/ directory");
        }
    }

    private static boolean exists(String uri, Configuration conf) {
        try {
            return StageFiles.exists(uri, conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look at " + uri, e);
        }
    }

    /**
     * The wanted columns in the schema's types; numbers are read as double/long whatever the file
     * stored.
     */
    private List<Row> select(String uri, StructType schema, List<String> names) {
        var df = spark.read().parquet(uri);
        Set<String> present = new HashSet<>(Arrays.asList(df.columns()));
        List<Column> cols = new ArrayList<>();
        for (String name : names) {
            DataType type = readType(schema.apply(name));
            cols.add(
                    (present.contains(name) ? col(name).cast(type) : lit(null).cast(type))
                            .as(name));
        }
        return df.select(cols.toArray(new Column[0])).collectAsList();
    }

    private static DataType readType(StructField f) {
        DataType t = f.dataType();
        return t.equals(DataTypes.IntegerType) || t.equals(DataTypes.FloatType)
                ? DataTypes.DoubleType
                : t;
    }

    private static PointRecord point(Row r) {
        return new PointRecord(
                str(r, "sweep_id"),
                str(r, "point_id"),
                str(r, "dense_id"),
                str(r, "sparse_id"),
                r.getAs("seed"),
                dbl(r, "lambda"),
                str(r, "method"),
                dbl(r, "ratio"),
                str(r, "scope"),
                str(r, "status"),
                str(r, "error"),
                str(r, "failed_stage"),
                new ModelMetrics(
                        dbl(r, "dense_params"),
                        null,
                        dbl(r, "dense_map50"),
                        dbl(r, "dense_map50_95"),
                        null,
                        null),
                model(r, "before_"),
                model(r, "after_"),
                withPointColumns(r, doubleMap(r, "extra_metrics")),
                dbl(r, "dense_seconds"),
                dbl(r, "sparse_seconds"),
                dbl(r, "prune_finetune_seconds"),
                str(r, "started_at"),
                str(r, "finished_at"));
    }

    /**
     * The point's reconstruct flag, pre-finetune accuracy and re-fit seconds, carried in the extras
     * under {@link PointRecord#RECONSTRUCT}, {@link PointRecord#AFTER_PRUNE_MAP50_95} and {@link
     * PointRecord#RECONSTRUCT_SECONDS} (absent in older tables).
     */
    private static Map<String, Double> withPointColumns(Row r, Map<String, Double> extra) {
        Map<String, Double> out = new HashMap<>(extra == null ? Map.of() : extra);
        Boolean reconstruct = r.getAs("reconstruct");
        if (reconstruct != null) {
            out.put(PointRecord.RECONSTRUCT, reconstruct ? 1.0 : 0.0);
        }
        Double afterPrune = dbl(r, "after_prune_map50_95");
        if (afterPrune != null) {
            out.put(PointRecord.AFTER_PRUNE_MAP50_95, afterPrune);
        }
        Double refit = doubleMap(r, "durations").get("reconstruct");
        if (refit != null) {
            out.put(PointRecord.RECONSTRUCT_SECONDS, refit);
        }
        return out;
    }

    private static ModelMetrics model(Row r, String prefix) {
        return new ModelMetrics(
                dbl(r, prefix + "params"),
                dbl(r, prefix + "gflops"),
                dbl(r, prefix + "map50"),
                dbl(r, prefix + "map50_95"),
                dbl(r, prefix + "fps"),
                dbl(r, prefix + "latency_p50_ms"),
                prefix.equals("after_") ? dbl(r, "after_nonzero_params") : null);
    }

    private static EpochRecord epoch(Row r) {
        Double epoch = dbl(r, "epoch");
        return new EpochRecord(
                str(r, "stage"),
                str(r, "stage_id"),
                r.getAs("seed"),
                dbl(r, "lambda"),
                str(r, "method"),
                dbl(r, "ratio"),
                str(r, "phase"),
                epoch == null ? null : epoch.intValue(),
                dbl(r, "box_loss"),
                dbl(r, "cls_loss"),
                dbl(r, "dfl_loss"),
                dbl(r, "map50_95"));
    }

    private static String str(Row r, String name) {
        return r.getAs(name);
    }

    private static Double dbl(Row r, String name) {
        return r.getAs(name);
    }

    private static Map<String, Double> doubleMap(Row r, String name) {
        int i = r.fieldIndex(name);
        if (r.isNullAt(i)) {
            return Map.of();
        }
        Map<String, Double> out = new HashMap<>();
        r.<String, Double>getJavaMap(i)
                .forEach(
                        (k, v) -> {
                            if (k != null && v != null) {
                                out.put(k, v);
                            }
                        });
        return out;
    }
}
