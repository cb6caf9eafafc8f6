package io.prunesweep.sweep;

import io.prunesweep.pipeline.StageFiles;
import io.prunesweep.pipeline.StageJson;
import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageRequest;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.plan.StageTask;
import io.prunesweep.sweep.run.ChildJvm;
import io.prunesweep.sweep.run.RunStageTask;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs one stage of the plan as one Spark job with one task per stage run; stage runs that are
 * already done (result.json ok) or whose input stage failed are not submitted.
 */
final class StageJobs {
    private final JavaSparkContext jsc;
    private final String sweepId;
    private final ChildJvm jvm;
    private final Map<String, String> fsConf;
    private final Configuration conf;
    private final PrintStream console;

    StageJobs(
            JavaSparkContext jsc,
            String sweepId,
            ChildJvm jvm,
            Map<String, String> fsConf,
            PrintStream console) {
        this.jsc = jsc;
        this.sweepId = sweepId;
        this.jvm = jvm;
        this.fsConf = fsConf;
        this.conf = jsc.hadoopConfiguration();
        this.console = console;
    }

    /** Stage runs whose result.json already says ok. */
    List<StageTask> done(List<StageTask> tasks, Map<String, StageResult> results) {
        List<StageTask> done = new ArrayList<>();
        for (StageTask t : tasks) {
            StageResult r = read(t);
            if (r != null) {
                results.put(t.id(), r);
                if (r.ok()) {
                    done.add(t);
                }
            }
        }
        return done;
    }

    /**
     * Submits the runs of one stage that still need doing; {@code results} holds every earlier
     * stage's outcome and receives this stage's. Never throws for a failed point.
     */
    void run(StageKind kind, List<StageTask> tasks, Map<String, StageResult> results) {
        List<StageRequest> todo = new ArrayList<>();
        int blocked = 0;
        for (StageTask t : tasks) {
            StageResult existing = results.get(t.id());
            if (existing != null && existing.ok()) {
                continue;
            }
            List<String> inputs = new ArrayList<>();
            if (t.inputId() != null) {
                StageResult in = results.get(t.inputId());
                String ckpt =
                        in == null || !in.ok() ? null : in.artifacts().get(StageResult.CHECKPOINT);
                if (ckpt == null) {
                    blocked++;
                    continue;
                }
                inputs.add(ckpt);
            } else if (t.settings().initialCheckpoint() != null) {
                inputs.add(t.settings().initialCheckpoint());
            }
            todo.add(
                    new StageRequest(
                            kind,
                            sweepId,
                            t.id(),
                            t.settings(),
                            inputs,
                            t.outputDir(),
                            "cpu",
                            null,
                            jvm.threads(),
                            fsConf));
        }
        String name = kind.name().toLowerCase(java.util.Locale.ROOT);
        console.println(
                "["
                        + sweepId
                        + "] "
                        + name
                        + ": "
                        + todo.size()
                        + " to run, "
                        + (tasks.size() - todo.size() - blocked)
                        + " already done"
                        + (blocked > 0 ? ", " + blocked + " blocked by a failed input stage" : ""));
        if (todo.isEmpty()) {
            return;
        }
        String ids =
                todo.stream().limit(8).map(StageRequest::pointId).collect(Collectors.joining(","))
                        + (todo.size() > 8 ? ",..." : "");
        String description =
                "prunesweep "
                        + sweepId
                        + ": "
                        + name
                        + " ("
                        + todo.size()
                        + " points: "
                        + ids
                        + ")";
        jsc.setJobGroup(ConsoleProgress.GROUP_PREFIX + sweepId + ":" + name, description, true);
        jsc.setJobDescription(description);
        List<String> json = todo.stream().map(StageJson::write).toList();
        try {
            jsc.parallelize(json, json.size()).map(new RunStageTask(jvm)).collect();
        } catch (RuntimeException e) {
            // Only infrastructure trouble gets here (tasks never throw for a failed point); keep
            // what finished.
            console.println(
                    "["
                            + sweepId
                            + "] "
                            + name
                            + ": Spark job failed: "
                            + e.getMessage().split("\n")[0]);
        } finally {
            jsc.clearJobGroup();
            jsc.setJobDescription(null);
        }
        // The files are the record: read back what every run of this stage left behind.
        for (StageRequest r : todo) {
            StageResult written = readUri(r.outputDir());
            if (written != null) {
                results.put(r.pointId(), written);
            }
        }
    }

    StageResult read(StageTask t) {
        return readUri(t.outputDir());
    }

    private StageResult readUri(String outputDir) {
        try {
            return StageFiles.readResult(outputDir, conf);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the result in " + outputDir, e);
        }
    }
}
