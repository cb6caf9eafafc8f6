package io.prunesweep.report;

import io.prunesweep.InputException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./prunesweep report --results <sweep output URI> [--out DIR] [--master local[*]]}: the
 * trade-off report of a finished (or partly finished) sweep as one self-contained {@code
 * index.html} with its charts.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description =
                "Write the trade-off report (HTML + PNG charts) of a sweep's Parquet results.")
public final class ReportJob implements Callable<Integer> {

    @Option(
            names = "--results",
            required = true,
            paramLabel = "URI",
            description =
                    "the sweep's output URI (holding tables/points), or its tables/ directory; "
                            + "any Hadoop URI: a path, hdfs://, s3a://")
    String results;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "where to write index.html and the charts (default: <sweep output>/report)")
    String out;

    @Option(
            names = "--master",
            paramLabel = "MASTER",
            defaultValue = "local[*]",
            description =
                    "Spark master for reading the tables (default: ${DEFAULT-VALUE}); "
                            + "a spark-submit --master wins")
    String master;

    private final PrintStream console;

    public ReportJob() {
        this(System.out);
    }

    public ReportJob(PrintStream console) {
        this.console = console;
    }

    @Override
    public Integer call() {
        ResultsLocation where = ResultsLocation.parse(results);
        String outDir = out == null || out.isBlank() ? where.defaultReportDir() : out;
        SparkConf conf = new SparkConf();
        conf.setIfMissing("spark.master", master);
        conf.setIfMissing("spark.app.name", "prunesweep report");
        conf.setIfMissing("spark.ui.enabled", "false");
        conf.setIfMissing("spark.sql.shuffle.partitions", "1");
        // Bad input is reported before paying for a Spark session.
        ResultsReader.requirePoints(where, SparkHadoopUtil.get().newConfiguration(conf));
        // Stop the session only if this command started it (embedded in a driver, the session is
        // the caller's).
        boolean ownSession =
                SparkSession.getActiveSession().isEmpty()
                        && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            TradeOffReport.Written w = TradeOffReport.write(spark, where, outDir);
            console.printf(
                    "report: %s (%d points, %d charts, %.1f s)%n",
                    w.indexUri(), w.points(), w.charts(), w.seconds());
            return 0;
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }

    /** Exit codes: 0 written, 2 bad input (one line on stderr), 1 a bug. */
    public static void main(String[] args) {
        System.exit(commandLine(new ReportJob()).execute(args));
    }

    /**
     * The picocli command with the project's error convention: InputException → one line, exit 2.
     */
    static CommandLine commandLine(ReportJob job) {
        CommandLine cl = new CommandLine(job);
        cl.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    Throwable t = e;
                    while (t != null && !(t instanceof InputException)) {
                        t = t.getCause();
                    }
                    if (t != null) {
                        cmd.getErr().println("error: " + t.getMessage().replace("\n", " "));
                        return 2;
                    }
                    cmd.getErr().println("error: " + e);
                    e.printStackTrace(cmd.getErr());
                    return 1;
                });
        return cl;
    }
}
