package io.prunesweep.sweep;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Prints "points done/total, ETA" on the driver console whenever a sweep task finishes. Only jobs
 * whose group starts with {@link #GROUP_PREFIX} count, so Parquet writing and other jobs stay
 * silent.
 */
final class ConsoleProgress extends SparkListener {
    static final String GROUP_PREFIX = "prunesweep:";

    private final PrintStream console;
    private final String sweepId;
    private final AtomicInteger totalRuns = new AtomicInteger();
    private final AtomicInteger totalPoints = new AtomicInteger();
    private final AtomicInteger runsDone = new AtomicInteger();
    private final AtomicInteger pointsDone = new AtomicInteger();
    private final Map<Integer, String> stageKinds = new ConcurrentHashMap<>();
    private volatile int runsAtStart;
    private volatile long startNanos = System.nanoTime();

    ConsoleProgress(PrintStream console, String sweepId, int totalRuns, int totalPoints) {
        this.console = console;
        this.sweepId = sweepId;
        this.totalRuns.set(totalRuns);
        this.totalPoints.set(totalPoints);
    }

    /** A search round added {@code points} grid points (one stage run each) to the plan. */
    void morePlanned(int points) {
        totalRuns.addAndGet(points);
        totalPoints.addAndGet(points);
    }

    /**
     * Counts runs that were already done before this run (skipped); ETA uses only this run's pace.
     */
    void alreadyDone(int runs, int points) {
        runsDone.addAndGet(runs);
        pointsDone.addAndGet(points);
        runsAtStart = runsDone.get();
        startNanos = System.nanoTime();
    }

    @Override
    public void onJobStart(SparkListenerJobStart jobStart) {
        String group =
                jobStart.properties() == null
                        ? null
                        : jobStart.properties().getProperty("spark.jobGroup.id");
        if (group != null && group.startsWith(GROUP_PREFIX)) {
            String kind = group.substring(group.lastIndexOf(':') + 1);
            scala.jdk.javaapi.CollectionConverters.asJava(jobStart.stageIds())
                    .forEach(id -> stageKinds.put((Integer) id, kind));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        String kind = stageKinds.get(taskEnd.stageId());
        if (kind == null || !(taskEnd.reason() instanceof Success$)) {
            return;
        }
        int runs = runsDone.incrementAndGet();
        int points =
                kind.equals("prune_finetune") ? pointsDone.incrementAndGet() : pointsDone.get();
        // a sensitivity scan has no grid points, only stage runs
        String pointsPart =
                totalPoints.get() == 0
                        ? ""
                        : "points " + points + "/" + totalPoints.get() + " done, ";
        console.println(
                "["
                        + sweepId
                        + "] "
                        + kind
                        + " task done: "
                        + pointsPart
                        + "stage runs "
                        + runs
                        + "/"
                        + totalRuns.get()
                        + ", ETA "
                        + eta(runs));
    }

    private String eta(int runs) {
        int doneHere = runs - runsAtStart;
        if (doneHere <= 0) {
            return "?";
        }
        double perRun = (System.nanoTime() - startNanos) / 1e9 / doneHere;
        return format(Duration.ofSeconds(Math.round(perRun * (totalRuns.get() - runs))));
    }

    static String format(Duration d) {
        long s = d.getSeconds();
        return s >= 3600
                ? String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
