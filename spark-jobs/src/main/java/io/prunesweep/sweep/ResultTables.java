package io.prunesweep.sweep;

import io.prunesweep.pipeline.EpochRow;
import io.prunesweep.pipeline.MetricKeys;
import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.pipeline.StageSettings;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.plan.GridPoint;
import io.prunesweep.sweep.plan.StageTask;
import io.prunesweep.sweep.plan.SweepPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes {@code <output>/tables/points} and {@code <output>/tables/epochs} (Parquet) from the stage
 * results. Each run rewrites both tables from all result files (overwrite), so rows are never
 * duplicated. Column meanings: spark-jobs/SCHEMA.md.
 */
public final class ResultTables {
    private static final DataType STR = DataTypes.StringType;
    private static final DataType DBL = DataTypes.DoubleType;
    private static final DataType INT = DataTypes.IntegerType;
    private static final DataType LNG = DataTypes.LongType;
    private static final DataType BOOL = DataTypes.BooleanType;
    private static final DataType DBL_MAP = DataTypes.createMapType(STR, DBL);
    private static final DataType STR_MAP = DataTypes.createMapType(STR, STR);

    /**
     * The Spark schemas of the two tables; public so readers (the report) and their tests share
     * them.
     */
    public static final StructType POINTS = pointsSchema();

    public static final StructType EPOCHS = epochsSchema();

    private final SparkSession spark;
    private final SweepConfig config;
    private final SweepPlan plan;
    private final Map<String, StageResult> results;
    private final Map<String, io.prunesweep.sweep.search.SearchTag> tags;

    ResultTables(
            SparkSession spark,
            SweepConfig config,
            SweepPlan plan,
            Map<String, StageResult> results) {
        this(spark, config, plan, results, Map.of());
    }

    /**
     * @param tags the search round and reason of each point; a point without one is a grid point
     *     (round 0)
     */
    ResultTables(
            SparkSession spark,
            SweepConfig config,
            SweepPlan plan,
            Map<String, StageResult> results,
            Map<String, io.prunesweep.sweep.search.SearchTag> tags) {
        this.spark = spark;
        this.config = config;
        this.plan = plan;
        this.results = results;
        this.tags = tags;
    }

    void write() {
        String dir = plan.tablesDir();
        spark.sparkContext().setJobDescription("prunesweep " + plan.sweepId() + ": write tables");
        spark.createDataFrame(pointRows(), POINTS)
                .coalesce(1)
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(dir + "/points");
        spark.createDataFrame(epochRows(), EPOCHS)
                .coalesce(1)
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(dir + "/epochs");
        spark.sparkContext().setJobDescription(null);
    }

    private static StructType pointsSchema() {
        List<StructField> f = new ArrayList<>();
        add(
                f,
                "sweep_id",
                STR,
                "point_id",
                STR,
                "dense_id",
                STR,
                "sparse_id",
                STR,
                "model",
                STR,
                "scale",
                STR,
                "initial_checkpoint",
                STR,
                "dataset",
                STR,
                "imgsz",
                INT,
                "batch",
                INT,
                "seed",
                LNG,
                "lambda",
                DBL,
                "method",
                STR,
                "ratio",
                DBL,
                "scope",
                STR,
                "min_channels",
                INT,
                "round_to",
                INT,
                "epochs_dense",
                INT,
                "epochs_sparse",
                INT,
                "epochs_finetune",
                INT,
                "status",
                STR,
                "error",
                STR,
                "failed_stage",
                STR,
                "nan_recoveries",
                INT,
                "dense_params",
                DBL,
                "dense_map50",
                DBL,
                "dense_map50_95",
                DBL);
        for (String m : MetricKeys.MODEL_METRICS) {
            add(f, "before_" + m, DBL);
        }
        for (String m : MetricKeys.MODEL_METRICS) {
            add(f, "after_" + m, DBL);
        }
        for (String m : MetricKeys.EXPORT_METRICS) {
            add(f, "after_" + m, DBL);
        }
        add(f, "reconstruct", BOOL);
        for (String m : MetricKeys.AFTER_PRUNE_METRICS) {
            add(f, "after_prune_" + m, DBL);
        }
        add(
                f,
                "extra_metrics",
                DBL_MAP,
                "device",
                STR,
                "gpu_address",
                STR,
                "gpu_name",
                STR,
                "host",
                STR,
                "dense_seconds",
                DBL,
                "sparse_seconds",
                DBL,
                "prune_finetune_seconds",
                DBL,
                "durations",
                DBL_MAP,
                "dense_checkpoint",
                STR,
                "sparse_checkpoint",
                STR,
                "artifacts",
                STR_MAP,
                "started_at",
                STR,
                "finished_at",
                STR,
                "round",
                INT,
                "reason",
                STR);
        return new StructType(f.toArray(new StructField[0]));
    }

    private static StructType epochsSchema() {
        List<StructField> f = new ArrayList<>();
        add(
                f,
                "sweep_id",
                STR,
                "stage",
                STR,
                "stage_id",
                STR,
                "seed",
                LNG,
                "lambda",
                DBL,
                "method",
                STR,
                "ratio",
                DBL,
                "phase",
                STR,
                "epoch",
                INT);
        for (String v : MetricKeys.EPOCH_VALUES) {
            add(f, v, DBL);
        }
        add(f, "extra", DBL_MAP);
        return new StructType(f.toArray(new StructField[0]));
    }

    private static void add(List<StructField> fields, Object... nameType) {
        for (int i = 0; i < nameType.length; i += 2) {
            fields.add(
                    DataTypes.createStructField(
                            (String) nameType[i], (DataType) nameType[i + 1], true));
        }
    }

    List<Row> pointRows() {
        List<Row> rows = new ArrayList<>();
        for (GridPoint p : plan.points()) {
            PointOutcome o = PointOutcome.of(p, results);
            StageSettings s = p.task().settings();
            StageResult own = o.own();
            List<Object> v = new ArrayList<>(List.of());
            v.addAll(
                    nullable(
                            plan.sweepId(),
                            p.pointId(),
                            p.denseId(),
                            p.sparseId(),
                            s.modelYaml(),
                            s.scale(),
                            s.initialCheckpoint(),
                            s.dataset(),
                            s.imgsz(),
                            s.batch(),
                            p.seed(),
                            p.lambda(),
                            p.method(),
                            p.ratio(),
                            s.scope(),
                            s.minChannels(),
                            s.roundTo(),
                            config.epochs().dense(),
                            p.sparseId() == null ? 0 : config.epochs().sparse(),
                            s.epochs(),
                            o.status(),
                            o.error(),
                            o.failedStage(),
                            o.nanRecoveries(),
                            PointOutcome.metric(o.dense(), MetricKeys.after(MetricKeys.PARAMS)),
                            PointOutcome.metric(o.dense(), MetricKeys.after(MetricKeys.MAP50)),
                            PointOutcome.metric(o.dense(), MetricKeys.after(MetricKeys.MAP50_95))));
            for (String m : MetricKeys.MODEL_METRICS) {
                v.add(PointOutcome.metric(own, MetricKeys.before(m)));
            }
            for (String m : MetricKeys.MODEL_METRICS) {
                v.add(PointOutcome.metric(own, MetricKeys.after(m)));
            }
            for (String m : MetricKeys.EXPORT_METRICS) {
                v.add(PointOutcome.metric(own, MetricKeys.after(m)));
            }
            v.add(p.reconstruct());
            for (String m : MetricKeys.AFTER_PRUNE_METRICS) {
                v.add(PointOutcome.metric(own, MetricKeys.afterPrune(m)));
            }
            Map<String, Double> extra = new LinkedHashMap<>();
            if (own != null) {
                own.metrics()
                        .forEach(
                                (k, x) -> {
                                    if (!isModelMetric(k)) {
                                        extra.put(k, x);
                                    }
                                });
            }
            v.add(scalaMap(extra));
            v.addAll(
                    nullable(
                            own == null ? null : own.device(),
                            own == null ? null : own.gpuAddress(),
                            own == null ? null : own.gpuName(),
                            own == null ? null : own.host(),
                            o.dense() == null ? null : PointOutcome.wall(o.dense()),
                            o.sparse() == null ? null : PointOutcome.wall(o.sparse()),
                            own == null ? null : PointOutcome.wall(own)));
            v.add(scalaMap(own == null ? Map.of() : own.durations()));
            v.addAll(nullable(checkpoint(o.dense()), checkpoint(o.sparse())));
            v.add(scalaMap(own == null ? Map.of() : own.artifacts()));
            v.addAll(
                    nullable(
                            own == null ? null : own.startedAt(),
                            own == null ? null : own.finishedAt()));
            io.prunesweep.sweep.search.SearchTag tag =
                    tags.getOrDefault(p.pointId(), io.prunesweep.sweep.search.SearchTag.GRID);
            v.addAll(nullable(tag.round(), tag.reason()));
            rows.add(RowFactory.create(v.toArray()));
        }
        return rows;
    }

    List<Row> epochRows() {
        List<Row> rows = new ArrayList<>();
        Map<String, GridPoint> pointsById = new LinkedHashMap<>();
        plan.points().forEach(p -> pointsById.put(p.pointId(), p));
        for (StageTask t : plan.tasksById().values()) {
            StageResult r = results.get(t.id());
            if (r == null) {
                continue;
            }
            StageSettings s = t.settings();
            boolean isPoint = t.kind() == StageKind.PRUNE_FINETUNE;
            for (EpochRow e : r.epochs()) {
                List<Object> v =
                        new ArrayList<>(
                                nullable(
                                        plan.sweepId(),
                                        t.kind().name().toLowerCase(java.util.Locale.ROOT),
                                        t.id(),
                                        s.seed(),
                                        t.kind() == StageKind.DENSE ? null : s.lambda(),
                                        isPoint ? s.method() : null,
                                        isPoint ? s.ratio() : null,
                                        e.phase(),
                                        e.epoch()));
                for (String name : MetricKeys.EPOCH_VALUES) {
                    v.add(e.values().get(name));
                }
                Map<String, Double> extra = new LinkedHashMap<>(e.values());
                MetricKeys.EPOCH_VALUES.forEach(extra::remove);
                v.add(scalaMap(extra));
                rows.add(RowFactory.create(v.toArray()));
            }
        }
        return rows;
    }

    private static boolean isModelMetric(String key) {
        for (String m : MetricKeys.MODEL_METRICS) {
            if (key.equals(MetricKeys.before(m)) || key.equals(MetricKeys.after(m))) {
                return true;
            }
        }
        for (String m : MetricKeys.AFTER_PRUNE_METRICS) {
            if (key.equals(MetricKeys.afterPrune(m))) {
                return true;
            }
        }
        return MetricKeys.EXPORT_METRICS.stream().anyMatch(m -> key.equals(MetricKeys.after(m)));
    }

    private static String checkpoint(StageResult r) {
        return r == null ? null : r.artifacts().get(StageResult.CHECKPOINT);
    }

    /** List.of refuses nulls; table rows are full of them. */
    private static List<Object> nullable(Object... values) {
        return java.util.Arrays.asList(values);
    }

    private static <K, V> scala.collection.Map<K, V> scalaMap(Map<K, V> m) {
        return scala.jdk.javaapi.CollectionConverters.asScala(new LinkedHashMap<>(m));
    }
}
