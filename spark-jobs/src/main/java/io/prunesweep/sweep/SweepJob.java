package io.prunesweep.sweep;

import io.prunesweep.InputException;
import io.prunesweep.backend.BackendException;
import io.prunesweep.backend.BackendGuard;
import io.prunesweep.sweep.config.SparkMaster;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.config.SweepConfigLoader;
import io.prunesweep.sweep.plan.SweepPlanner;
import io.prunesweep.sweep.run.ChildJvm;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/**
 * The sweep driver: {@code SparkSubmit --class io.prunesweep.sweep.SweepJob app.jar
 * conf/sweeps/x.yaml [--set key.path=value]... [--dry-run]}. Validates the whole YAML first,
 * expands the grid, runs each stage as one Spark job, writes the Parquet tables and prints the
 * report. Settings given to spark-submit (--master, --conf) win over the YAML's spark section.
 */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = "Run a prune-ratio x lambda sweep on Spark and write Parquet results.")
public final class SweepJob implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "SWEEP_YAML",
            description = "sweep description, e.g. conf/sweeps/quickstart.yaml")
    String sweepFile;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "override a YAML value before validation, e.g. --set prune.ratios=[0.2,0.4]")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--dry-run", description = "validate and print the plan, run nothing")
    boolean dryRun;

    private final PrintStream console;

    public SweepJob() {
        this(System.out);
    }

    public SweepJob(PrintStream console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        SweepConfig config = new SweepConfigLoader().load(sweepFile, overrides);
        // spark-submit's --master (a system property here) wins over the YAML's, as in session()
        SparkMaster.requireReachable(new SparkConf().get("spark.master", config.spark().master()));
        if (dryRun) {
            var plan = SweepPlanner.plan(config);
            console.println("[" + plan.sweepId() + "] " + plan.costSummary());
            plan.stages()
                    .forEach(
                            (kind, tasks) ->
                                    tasks.forEach(
                                            t ->
                                                    console.println(
                                                            "  "
                                                                    + kind.name()
                                                                            .toLowerCase(
                                                                                    java.util.Locale
                                                                                            .ROOT)
                                                                    + " "
                                                                    + t.id()
                                                                    + " <- "
                                                                    + t.inputId()
                                                                    + "  "
                                                                    + t.outputDir())));
            String rules = io.prunesweep.sweep.search.SearchRules.describe(config);
            if (rules != null) {
                console.println("[" + plan.sweepId() + "] " + rules);
            }
            return 0;
        }
        if (config.spark().master().startsWith("local")) {
            // the points run on this host: check its backend once, before any work, and say what
            // was chosen
            console.println(
                    "["
                            + config.sweep().id()
                            + "] "
                            + BackendGuard.oneLine(
                                    BackendGuard.requireUsable(ChildJvm.classpath())));
        }
        SparkSession spark = session(config);
        try {
            SweepRunner.Outcome outcome = new SweepRunner(config, console).run(spark);
            console.println("[" + config.sweep().id() + "] tables: " + outcome.tablesDir());
            return outcome.report().failedPoints() == 0 ? 0 : 3;
        } finally {
            spark.stop();
        }
    }

    /** A session for the sweep: spark-submit's settings first, then the YAML's spark section. */
    public static SparkSession session(SweepConfig config) {
        SparkConf conf = new SparkConf();
        SweepConfig.Spark s = config.spark();
        conf.setIfMissing("spark.master", s.master());
        conf.setIfMissing("spark.app.name", "prunesweep " + config.sweep().id());
        conf.setIfMissing("spark.task.cpus", Integer.toString(s.taskCpus()));
        if (s.usesGpus()) {
            conf.setIfMissing("spark.task.resource.gpu.amount", Double.toString(s.gpuAmount()));
        }
        s.conf().forEach(conf::setIfMissing);
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /**
     * Exit codes: 0 all points ok, 3 some points failed, 2 bad input, 4 this host computes wrong
     * numbers, 130 interrupted (Ctrl-C), 1 a bug.
     */
    public static void main(String[] args) {
        exitOnInterrupt();
        System.exit(commandLine(new SweepJob()).execute(args));
    }

    /** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
    public static final int INTERRUPTED_EXIT = 130;

    /**
     * Set once Ctrl-C arrived: what fails after it (Spark's cancelled job) is its consequence, not
     * news.
     */
    private static final AtomicBoolean INTERRUPTED = new AtomicBoolean();

    /**
     * Ctrl-C says one line and exits 130; the shutdown hooks stop Spark and kill the stage JVMs
     * (finished stages are on disk, so the same command resumes). Without this a cancelled Spark
     * job printed a 55-line trace.
     */
    static void exitOnInterrupt() {
        try {
            Signal.handle(
                    new Signal("INT"),
                    sig -> {
                        if (INTERRUPTED.compareAndSet(false, true)) {
                            System.err.println("interrupted; re-run the same command to resume");
                            System.err.flush();
                            System.exit(INTERRUPTED_EXIT);
                        }
                    });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT handling here (e.g. java -Xrs): the JVM's default applies
        }
    }

    /**
     * The sweep command line with its exit codes, as {@link #main} runs it (tests run it
     * in-process).
     */
    public static CommandLine commandLine(SweepJob job) {
        CommandLine cl = new CommandLine(job);
        cl.setParameterExceptionHandler(io.prunesweep.cli.Main::handleBadArguments);
        cl.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    if (INTERRUPTED.get()) {
                        return INTERRUPTED_EXIT; // the interrupt said its line; this is the job it
                        // cancelled
                    }
                    Throwable t = e;
                    while (t != null && !(t instanceof InputException)) {
                        t = t.getCause();
                    }
                    if (t != null) {
                        cmd.getErr().println("error: " + t.getMessage().replace("\n", "\nerror: "));
                        return 2;
                    }
                    if (e instanceof BackendException) {
                        cmd.getErr().println("error: " + e.getMessage());
                        return 4;
                    }
                    cmd.getErr().println("error: " + e);
                    e.printStackTrace(cmd.getErr());
                    return 1;
                });
        return cl;
    }
}
