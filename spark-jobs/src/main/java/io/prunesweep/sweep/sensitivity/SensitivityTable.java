package io.prunesweep.sweep.sensitivity;

import com.fasterxml.jackson.core.type.TypeReference;
import io.prunesweep.pipeline.MetricKeys;
import io.prunesweep.pipeline.SensitivityRow;
import io.prunesweep.pipeline.StageFiles;
import io.prunesweep.pipeline.StageJson;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.pipeline.StageSettings;
import io.prunesweep.sweep.plan.StageTask;
import io.prunesweep.sweep.plan.SweepPlan;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Writes {@code <output>/tables/sensitivity} (Parquet, one row per scanned (model, method, space,
 * ratio); rewritten from the scan runs' files on every run, so rows are never duplicated) and, per
 * (seed, lambda, method) and tolerance, the per-layer plan {@code
 * <output>/sensitivity/overrides_<method>_lambda<l>_seed<s>_tol<t>.yaml}. Column meanings:
 * spark-jobs/SCHEMA.md.
 */
public final class SensitivityTable {
    private static final DataType STR = DataTypes.StringType;
    private static final DataType DBL = DataTypes.DoubleType;
    private static final DataType INT = DataTypes.IntegerType;
    private static final DataType LNG = DataTypes.LongType;

    public static final StructType SCHEMA =
            schema(
                    "sweep_id",
                    STR,
                    "task_id",
                    STR,
                    "input_id",
                    STR,
                    "seed",
                    LNG,
                    "lambda",
                    DBL,
                    "method",
                    STR,
                    "space",
                    STR,
                    "members",
                    STR,
                    "layers",
                    STR,
                    "channels",
                    INT,
                    "kept",
                    INT,
                    "ratio",
                    DBL,
                    "base_map50_95",
                    DBL,
                    "map50_95",
                    DBL,
                    "map50",
                    DBL,
                    "delta",
                    DBL,
                    "base_params",
                    DBL,
                    "params",
                    DBL,
                    "params_saved",
                    DBL,
                    "base_gflops",
                    DBL,
                    "gflops",
                    DBL,
                    "gflops_saved",
                    DBL,
                    "seconds",
                    DBL);

    /** One scanned row with the run it came from. */
    record Scanned(StageTask task, StageResult result, SensitivityRow row) {}

    private SensitivityTable() {}

    /** Writes the table and the plans; returns the plan files written. */
    public static List<String> write(
            SparkSession spark,
            SweepPlan plan,
            Map<String, StageResult> results,
            List<Double> tolerances,
            PrintStream console) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<Scanned> scanned = read(plan.scans(), results, conf);
        List<Row> rows = new ArrayList<>();
        for (Scanned s : scanned) {
            rows.add(row(plan.sweepId(), s));
        }
        spark.sparkContext()
                .setJobDescription("prunesweep " + plan.sweepId() + ": write sensitivity table");
        spark.createDataFrame(rows, SCHEMA)
                .coalesce(1)
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(plan.tablesDir() + "/sensitivity");
        spark.sparkContext().setJobDescription(null);
        List<String> files = new ArrayList<>();
        Map<String, List<Scanned>> byModel = new LinkedHashMap<>();
        scanned.forEach(
                s ->
                        byModel.computeIfAbsent(group(s.task().settings()), k -> new ArrayList<>())
                                .add(s));
        int total = plan.scans().stream().mapToInt(t -> t.settings().scan().size()).sum();
        console.println(
                "["
                        + plan.sweepId()
                        + "] sensitivity: "
                        + scanned.size()
                        + " of "
                        + total
                        + " points scanned; table "
                        + plan.tablesDir()
                        + "/sensitivity");
        for (Map.Entry<String, List<Scanned>> e : byModel.entrySet()) {
            List<SensitivityPlan.Point> points =
                    e.getValue().stream()
                            .map(
                                    s ->
                                            new SensitivityPlan.Point(
                                                    s.row().space(),
                                                    s.row().members(),
                                                    s.row().ratio(),
                                                    delta(s)))
                            .toList();
            StageSettings st = e.getValue().get(0).task().settings();
            for (double tol : tolerances) {
                Map<String, Object> p = SensitivityPlan.plan(points, tol);
                String uri =
                        plan.output()
                                + (plan.output().endsWith("/") ? "" : "/")
                                + "sensitivity/"
                                + fileName(st, tol);
                List<String> header =
                        List.of(
                                "Per-layer plan from the sensitivity scan of sweep "
                                        + plan.sweepId()
                                        + " ("
                                        + e.getKey()
                                        + ")",
                                "rule: per space, the largest scanned ratio whose mAP50-95 drop stays within "
                                        + plain(tol)
                                        + " (Li et al. 2016); exclude = every ratio dropped more",
                                "use: prune --overrides THIS_FILE, or in a sweep: prune: {overrides: THIS_FILE} (or paste the"
                                        + " mapping under prune.overrides)");
                try {
                    StageFiles.writeAtomically(uri, SensitivityPlan.yaml(p, header), conf);
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot write " + uri, ex);
                }
                long excluded = p.values().stream().filter(SensitivityPlan.EXCLUDE::equals).count();
                console.println(
                        "["
                                + plan.sweepId()
                                + "] plan "
                                + e.getKey()
                                + " tolerance "
                                + plain(tol)
                                + ": "
                                + (p.size() - excluded)
                                + " spaces pruned, "
                                + excluded
                                + " excluded -> "
                                + uri);
                files.add(uri);
            }
        }
        return files;
    }

    static String fileName(StageSettings s, double tolerance) {
        return "overrides_"
                + s.method()
                + "_lambda"
                + plain(s.lambda())
                + "_seed"
                + s.seed()
                + "_tol"
                + plain(tolerance)
                + ".yaml";
    }

    private static String group(StageSettings s) {
        return "seed " + s.seed() + ", lambda " + plain(s.lambda()) + ", method " + s.method();
    }

    static String plain(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    static List<Scanned> read(
            List<StageTask> scans, Map<String, StageResult> results, Configuration conf) {
        List<Scanned> out = new ArrayList<>();
        for (StageTask t : scans) {
            StageResult r = results.get(t.id());
            String uri = r == null || !r.ok() ? null : r.artifacts().get(SensitivityRow.FILE);
            if (uri == null) {
                continue;
            }
            try {
                List<SensitivityRow> rows =
                        StageJson.mapper()
                                .readValue(
                                        StageFiles.read(uri, conf),
                                        new TypeReference<List<SensitivityRow>>() {});
                rows.forEach(row -> out.add(new Scanned(t, r, row)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the scan rows " + uri, e);
            }
        }
        return out;
    }

    private static double delta(Scanned s) {
        Double base = s.result().metrics().get(MetricKeys.before(MetricKeys.MAP50_95));
        return base == null ? Double.NaN : s.row().map50_95() - base;
    }

    private static Row row(String sweepId, Scanned s) {
        StageSettings st = s.task().settings();
        SensitivityRow r = s.row();
        Map<String, Double> m = s.result().metrics();
        Double baseMap = m.get(MetricKeys.before(MetricKeys.MAP50_95));
        Double baseParams = m.get(MetricKeys.before(MetricKeys.PARAMS));
        Double baseGflops = m.get(MetricKeys.before(MetricKeys.GFLOPS));
        return RowFactory.create(
                sweepId,
                s.task().id(),
                s.task().inputId(),
                st.seed(),
                st.lambda(),
                st.method(),
                r.space(),
                String.join(" ", r.members()),
                r.layers().stream().map(String::valueOf).collect(Collectors.joining(",")),
                r.channels(),
                r.kept(),
                r.ratio(),
                baseMap,
                r.map50_95(),
                r.map50(),
                baseMap == null ? null : r.map50_95() - baseMap,
                baseParams,
                r.params(),
                baseParams == null ? null : 1 - r.params() / baseParams,
                baseGflops,
                r.gflops(),
                baseGflops == null ? null : 1 - r.gflops() / baseGflops,
                r.seconds());
    }

    private static StructType schema(Object... nameType) {
        List<StructField> f = new ArrayList<>();
        for (int i = 0; i < nameType.length; i += 2) {
            f.add(
                    DataTypes.createStructField(
                            (String) nameType[i], (DataType) nameType[i + 1], true));
        }
        return new StructType(f.toArray(new StructField[0]));
    }
}
