package io.prunesweep.sweep;

import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.report.TradeOffReport;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.plan.StageTask;
import io.prunesweep.sweep.plan.SweepPlan;
import io.prunesweep.sweep.plan.SweepPlanner;
import io.prunesweep.sweep.run.ChildJvm;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Runs a validated sweep on a Spark session: dense, sparse, prune+finetune stages (one Spark job
 * each), then rewrites the Parquet tables from every result file, prints the summary and writes the
 * HTML report.
 */
public final class SweepRunner {
    private final SweepConfig config;
    private final PrintStream console;

    public SweepRunner(SweepConfig config, PrintStream console) {
        this.config = config;
        this.console = console;
    }

    /** What a run leaves behind: the plan, every stage result found, where the tables are. */
    public record Outcome(
            SweepPlan plan,
            Map<String, StageResult> results,
            String tablesDir,
            SweepReport report) {}

    /**
     * Filesystem settings the stage JVMs need: {@code spark.hadoop.*} given to spark-submit ({@code
     * --conf}) or to the session, then the sweep YAML's own (which win). Credentials are never
     * among them unless a user put them there; the standard providers (instance roles, credential
     * stores) need no settings.
     */
    static Map<String, String> childFsConf(
            Map<String, String> sessionSettings, SweepConfig config) {
        Map<String, String> fs = SweepConfig.hadoopSettings(sessionSettings);
        fs.putAll(config.hadoopConf());
        return fs;
    }

    private static Map<String, String> settings(SparkSession spark) {
        Map<String, String> m = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : spark.sparkContext().getConf().getAll()) {
            m.put(kv._1(), kv._2());
        }
        return m;
    }

    public Outcome run(SparkSession spark) {
        SweepPlan plan = SweepPlanner.plan(config);
        console.println("[" + plan.sweepId() + "] " + plan.costSummary());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SweepConfig.Spark s = config.spark();
        ChildJvm jvm =
                new ChildJvm(
                        s.childHeap(),
                        s.effectiveChildThreads(),
                        Duration.ofMillis(Math.round(s.timeoutMinutes() * 60_000)),
                        s.childJavaOptions());
        StageJobs jobs =
                new StageJobs(
                        jsc, plan.sweepId(), jvm, childFsConf(settings(spark), config), console);

        Map<String, StageResult> results = new LinkedHashMap<>();
        int doneRuns = 0;
        int donePoints = 0;
        for (Map.Entry<StageKind, List<StageTask>> stage : plan.stages().entrySet()) {
            int n = jobs.done(stage.getValue(), results).size();
            doneRuns += n;
            if (stage.getKey() == StageKind.PRUNE_FINETUNE) {
                donePoints = n;
            }
        }
        ConsoleProgress progress =
                new ConsoleProgress(
                        console, plan.sweepId(), plan.stageTaskCount(), plan.points().size());
        progress.alreadyDone(doneRuns, donePoints);
        spark.sparkContext().addSparkListener(progress);
        long t0 = System.nanoTime();
        Map<String, io.prunesweep.sweep.search.SearchTag> tags = new LinkedHashMap<>();
        try {
            for (Map.Entry<StageKind, List<StageTask>> stage : plan.stages().entrySet()) {
                jobs.run(stage.getKey(), stage.getValue(), results);
            }
            plan =
                    SearchRounds.run(
                            config,
                            plan,
                            jobs,
                            results,
                            tags,
                            jsc.hadoopConfiguration(),
                            console,
                            progress::morePlanned);
        } finally {
            spark.sparkContext().removeSparkListener(progress);
        }
        double runSeconds = (System.nanoTime() - t0) / 1e9;
        // results holds every stage run's result.json, each read once: before the run (done) or
        // after its job (run),
        // the search rounds' points included
        ResultTables tables =
                new ResultTables(spark, config, plan, results, SearchRounds.complete(plan, tags));
        tables.write();
        if (!plan.scans().isEmpty()) {
            io.prunesweep.sweep.sensitivity.SensitivityTable.write(
                    spark, plan, results, config.sensitivity().tolerances(), console);
        }
        SweepReport report = new SweepReport(plan, results, runSeconds);
        report.print(console);
        TradeOffReport.afterSweep(
                spark, plan.output(), plan.sweepId(), console); // warns, never throws
        return new Outcome(plan, results, plan.tablesDir(), report);
    }
}
