package io.prunesweep.report;

import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;

/** Reads a sweep's tables, computes and draws the trade-offs, writes the report directory. */
public final class TradeOffReport {
    private TradeOffReport() {}

    /** What was written and how long it took. */
    public record Written(String indexUri, int points, int charts, double seconds) {}

    public static Written write(SparkSession spark, ResultsLocation where, String outDir) {
        long t0 = System.nanoTime();
        spark.sparkContext().setJobDescription("prunesweep report: read " + where.tablesDir());
        SweepResults results;
        try {
            results = new ResultsReader(spark).read(where);
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
        ReportContent content =
                withSensitivity(
                        ReportContent.of(results),
                        SensitivityCharts.read(spark, where.tablesDir()));
        String index =
                ReportWriter.write(
                        outDir,
                        content,
                        HtmlPage.render(content),
                        spark.sparkContext().hadoopConfiguration());
        return new Written(
                index,
                results.points().size(),
                content.charts().size(),
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * A sensitivity scan's heat maps and curves after the other charts, when the sweep was a scan.
     */
    private static ReportContent withSensitivity(
            ReportContent c, java.util.List<SensitivityCharts.Scanned> rows) {
        if (rows.isEmpty()) {
            return c;
        }
        java.util.List<Chart> charts = new java.util.ArrayList<>(SensitivityCharts.build(rows));
        charts.addAll(c.charts());
        return new ReportContent(
                c.source(),
                c.summary(),
                c.baselines(),
                c.recommendations(),
                c.fronts(),
                java.util.List.copyOf(charts),
                c.notes(),
                c.points());
    }

    /**
     * The end of every sweep: writes {@code <output>/report/}. A report is a convenience, the
     * tables are the result, so any failure here is printed as a warning and never fails the sweep.
     */
    public static void afterSweep(
            SparkSession spark, String sweepOutput, String sweepId, PrintStream console) {
        try {
            ResultsLocation where = ResultsLocation.parse(sweepOutput);
            Written w = write(spark, where, where.defaultReportDir());
            console.printf(
                    "[%s] report: %s (%d charts, %.1f s)%n",
                    sweepId, w.indexUri(), w.charts(), w.seconds());
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            // Error too: a JRE without fonts or AWT natives fails chart drawing with an Error, not
            // an exception.
            console.println(
                    "["
                            + sweepId
                            + "] warning: no report written to "
                            + sweepOutput
                            + "/report: "
                            + e
                            + " (the tables are complete; run ./prunesweep report --results "
                            + sweepOutput
                            + " to retry)");
        }
    }
}
