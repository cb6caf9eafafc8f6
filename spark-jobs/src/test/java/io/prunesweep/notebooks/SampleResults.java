package io.prunesweep.notebooks;

import io.prunesweep.pipeline.EpochRow;
import io.prunesweep.pipeline.MetricKeys;
import io.prunesweep.pipeline.StageFiles;
import io.prunesweep.pipeline.StageJson;
import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.SweepRunner;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.plan.GridPoint;
import io.prunesweep.sweep.plan.StageTask;
import io.prunesweep.sweep.plan.SweepPlan;
import io.prunesweep.sweep.plan.SweepPlanner;
import io.prunesweep.sweep.testing.TestSweeps;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * A results table with known contents, written by the real sweep: 1 seed x lambdas {0, 0.001} x
 * methods {bn, l1} x ratios {0.2, 0.4, 0.6} = 12 points. Every stage's result.json is written
 * beforehand with chosen metrics, so the sweep runs nothing for them; two points (l1 at ratio 0.6)
 * have none and run for real in the test ToyStageExecutor, which fails them. The sweep then writes
 * tables/points and tables/epochs as always.
 *
 * <p>mAP50-95 after finetuning (dense 0.50, params 100000 x (1 - ratio)):
 *
 * <pre>
 *                 r=0.2   r=0.4   r=0.6
 *   bn  lambda 0  0.496   0.470   0.400
 *   l1  lambda 0  0.492   0.475   failed
 *   bn  lambda .1% 0.498  0.485   0.450
 *   l1  lambda .1% 0.481  0.485   failed
 * </pre>
 *
 * Pareto front in (params down, mAP up): bn 0.001 at 0.6, both 0.001 points at 0.4 (a tie), bn
 * 0.001 at 0.2. No mAP lies on a tolerance boundary (0.495, 0.49, 0.48), so float rounding cannot
 * flip a "within" test.
 */
final class SampleResults {
    static final String SWEEP_ID = "notes-sample";
    static final double DENSE_PARAMS = 100_000;
    static final double DENSE_MAP50_95 = 0.50;
    static final double DENSE_MAP50 = 0.70;
    static final double SPARSE_LAMBDA = 0.001;
    static final double FAIL_RATIO = 0.6;
    static final double DENSE_WALL = 100;
    static final double SPARSE_WALL = 50;
    static final double POINT_WALL = 10;
    static final Map<String, Double> POINT_DURATIONS =
            Map.of("prune", 0.5, "finetune", 8.0, "eval", 1.5, StageResult.WALL, POINT_WALL);

    /** One grid point of the sample and what the table should say about it. */
    record Point(
            String id,
            double lambda,
            String method,
            double ratio,
            boolean ok,
            double params,
            double map50_95) {
        double gflops() {
            return params * 2e-5;
        }

        double latencyP50() {
            return 2 + params / 20_000;
        }

        double fps() {
            return 1000 / latencyP50();
        }
    }

    final String output;
    final List<Point> points;
    final String denseId;
    final String sparseId;
    final String console;

    private SampleResults(
            String output, List<Point> points, String denseId, String sparseId, String console) {
        this.output = output;
        this.points = points;
        this.denseId = denseId;
        this.sparseId = sparseId;
        this.console = console;
    }

    static double map50_95(double lambda, String method, double ratio) {
        int col = (int) Math.round(ratio * 5) - 1; // 0.2 -> 0, 0.4 -> 1, 0.6 -> 2
        double[] row =
                switch ((lambda == 0 ? "0 " : "s ") + method) {
                    case "0 bn" -> new double[] {0.496, 0.470, 0.400};
                    case "0 l1" -> new double[] {0.492, 0.475, Double.NaN};
                    case "s bn" -> new double[] {0.498, 0.485, 0.450};
                    case "s l1" -> new double[] {0.481, 0.485, Double.NaN};
                    default -> throw new IllegalArgumentException(method);
                };
        return row[col];
    }

    /**
     * Writes the sample under {@code dir/out} and runs the sweep over it on {@code spark}'s
     * session.
     */
    static SampleResults write(
            Path dir, java.util.function.Function<SweepConfig, SparkSession> session)
            throws IOException {
        String output = TestSweeps.path(dir.resolve("out"));
        SweepConfig config =
                TestSweeps.config(
                        dir,
                        SWEEP_ID,
                        output,
                        "sparse.lambdas=[0," + SPARSE_LAMBDA + "]",
                        "prune.methods=[bn,l1]",
                        "prune.ratios=[0.2,0.4,0.6]",
                        // a dozen rows: generated code would cost more to compile than it saves
                        "spark.conf.spark.sql.codegen.wholeStage=false",
                        "spark.child_java_options=[-XX:TieredStopAtLevel=1,-XX:+UseSerialGC,-Dprunesweep.executor=io.prunesweep.sweep.testing.ToyStageExecutor,-Dprunesweep.test.failRatio="
                                + FAIL_RATIO
                                + "]");
        SweepPlan plan = SweepPlanner.plan(config);
        Configuration conf = new Configuration();
        StageTask dense = plan.dense().get(0);
        StageTask sparse = plan.sparse().get(0);
        Map<String, Double> denseAfter = model(DENSE_PARAMS, DENSE_MAP50_95);
        Map<String, Double> sparseAfter = model(DENSE_PARAMS, 0.49);
        write(
                dense,
                StageKind.DENSE,
                Map.of(),
                denseAfter,
                epochs("dense", 0.3, 0.4, 0.5),
                Map.of("train", 90.0, "eval", 10.0, StageResult.WALL, DENSE_WALL),
                conf);
        write(
                sparse,
                StageKind.SPARSE,
                denseAfter,
                sparseAfter,
                epochs("sparse", 0.47, 0.49),
                Map.of("train", 45.0, "eval", 5.0, StageResult.WALL, SPARSE_WALL),
                conf);

        List<Point> points = new ArrayList<>();
        for (GridPoint g : plan.points()) {
            double params = DENSE_PARAMS * (1 - g.ratio());
            double map = map50_95(g.lambda(), g.method(), g.ratio());
            boolean ok = !Double.isNaN(map);
            points.add(new Point(g.pointId(), g.lambda(), g.method(), g.ratio(), ok, params, map));
            if (ok) {
                write(
                        g.task(),
                        StageKind.PRUNE_FINETUNE,
                        g.sparseId() == null ? denseAfter : sparseAfter,
                        model(params, map),
                        epochs("finetune", map - 0.01, map),
                        POINT_DURATIONS,
                        conf);
            }
        }
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        SparkSession spark = session.apply(config);
        new SweepRunner(config, new PrintStream(console, true)).run(spark);
        return new SampleResults(
                output,
                Collections.unmodifiableList(points),
                dense.id(),
                sparse.id(),
                console.toString());
    }

    /** The nine model metrics of a model with this many parameters and this mAP50-95. */
    private static Map<String, Double> model(double params, double map) {
        Point p = new Point("", 0, "", 0, true, params, map);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(MetricKeys.PARAMS, params);
        m.put(MetricKeys.GFLOPS, p.gflops());
        m.put(MetricKeys.MAP50, map + 0.2);
        m.put(MetricKeys.MAP50_95, map);
        m.put(MetricKeys.PRECISION, 0.8);
        m.put(MetricKeys.RECALL, 0.7);
        m.put(MetricKeys.LATENCY_P50_MS, p.latencyP50());
        m.put(MetricKeys.LATENCY_P95_MS, p.latencyP50() * 1.2);
        m.put(MetricKeys.FPS, p.fps());
        return m;
    }

    private static List<EpochRow> epochs(String phase, double... maps) {
        List<EpochRow> rows = new ArrayList<>();
        for (int e = 0; e < maps.length; e++) {
            rows.add(
                    new EpochRow(
                            phase,
                            e,
                            Map.of(
                                    MetricKeys.MAP50_95,
                                    maps[e],
                                    MetricKeys.BOX_LOSS,
                                    3.0 - e,
                                    MetricKeys.LR,
                                    0.01,
                                    MetricKeys.SECONDS,
                                    5.0)));
        }
        return rows;
    }

    private static void write(
            StageTask task,
            StageKind kind,
            Map<String, Double> before,
            Map<String, Double> after,
            List<EpochRow> epochs,
            Map<String, Double> durations,
            Configuration conf)
            throws IOException {
        Map<String, Double> metrics = new LinkedHashMap<>();
        before.forEach((k, v) -> metrics.put(MetricKeys.before(k), v));
        after.forEach((k, v) -> metrics.put(MetricKeys.after(k), v));
        // A checkpoint the ToyStageExecutor can start from (32 weights, all channels active).
        String checkpoint = StageFiles.child(task.outputDir(), "checkpoint.txt");
        StageFiles.writeAtomically(
                checkpoint,
                String.join(",", Collections.nCopies(32, "0.1"))
                        + "\n"
                        + String.join(",", Collections.nCopies(32, "1"))
                        + "\n",
                conf);
        StageResult result =
                StageResult.ok(
                                kind,
                                task.id(),
                                metrics,
                                Map.of(StageResult.CHECKPOINT, checkpoint),
                                epochs,
                                durations)
                        .withRun(
                                "cpu",
                                null,
                                "sample-host",
                                "2025-01-01T00:00:00Z",
                                "2025-01-01T00:00:10Z");
        StageFiles.writeAtomically(
                StageFiles.child(task.outputDir(), StageFiles.RESULT_JSON),
                StageJson.writePretty(result),
                conf);
    }

    List<Point> ok() {
        return points.stream().filter(Point::ok).toList();
    }

    List<Point> failed() {
        return points.stream().filter(p -> !p.ok()).toList();
    }

    Point point(double lambda, String method, double ratio) {
        return points.stream()
                .filter(
                        p ->
                                p.lambda() == lambda
                                        && p.method().equals(method)
                                        && p.ratio() == ratio)
                .findFirst()
                .orElseThrow();
    }

    /** Independent of any SQL: the finished points no other finished point dominates. */
    Set<String> paretoFront() {
        return ok().stream()
                .filter(
                        p ->
                                ok().stream()
                                        .noneMatch(
                                                q ->
                                                        q.params() <= p.params()
                                                                && q.map50_95() >= p.map50_95()
                                                                && (q.params() < p.params()
                                                                        || q.map50_95()
                                                                                > p.map50_95())))
                .map(Point::id)
                .collect(Collectors.toSet());
    }
}
