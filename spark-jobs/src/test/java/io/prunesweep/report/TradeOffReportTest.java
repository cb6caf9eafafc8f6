package io.prunesweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.prunesweep.pipeline.StageJson;
import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.testing.LocalS3;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a 100-point sample sweep written as real Parquet tables: read back with Spark,
 * written as a page with its charts, and looked at in headless Chromium (charts decoded, pixels
 * drawn, errors shown).
 */
class TradeOffReportTest {
    @TempDir static Path dir;
    static SparkSession spark;
    static Path output;
    static TradeOffReport.Written written;

    @BeforeAll
    static void writeSampleAndReport() {
        spark =
                SparkSession.builder()
                        .master("local[1]")
                        .appName("report-test")
                        .config("spark.ui.enabled", "false")
                        .config("spark.sql.shuffle.partitions", "1")
                        .getOrCreate();
        output = dir.resolve("sweep");
        SampleSweep.write(spark, output.toString());
        written =
                TradeOffReport.write(
                        spark,
                        ResultsLocation.parse(output.toString()),
                        output.resolve("report").toString());
        System.out.printf(
                "report of %d points: %.2f s (first in this JVM)%n",
                written.points(), written.seconds());
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Path report(String name) {
        return output.resolve("report").resolve(name);
    }

    @Test
    void readsTheTablesWithSparkKeepingMissingValuesMissing() {
        SweepResults r =
                new ResultsReader(spark)
                        .read(ResultsLocation.parse(output.resolve("tables") + "/"));
        assertEquals(100, r.points().size());
        Map<String, Long> byStatus =
                r.points().stream()
                        .collect(Collectors.groupingBy(PointRecord::status, Collectors.counting()));
        assertEquals(Map.of("ok", 98L, "failed", 1L, "not_run", 1L), byStatus);
        PointRecord unmeasured =
                r.points().stream()
                        .filter(
                                p ->
                                        p.method().equals("l2")
                                                && p.lambda() == 1e-4
                                                && p.ratio() == 0.1)
                        .findFirst()
                        .orElseThrow();
        assertNull(unmeasured.after().fps());
        assertNull(unmeasured.after().gflops());
        assertEquals(SampleSweep.map("l2", 1e-4, 0.1), unmeasured.after().map5095(), 1e-12);
        assertTrue(
                r.points().stream()
                        .filter(p -> p.method().equals("random"))
                        .allMatch(p -> p.extra().isEmpty()));
        PointRecord bn =
                r.points().stream()
                        .filter(p -> p.method().equals("bn") && p.lambda() == 1e-2)
                        .findFirst()
                        .orElseThrow();
        assertEquals(SampleSweep.gammaHistogram(1e-2)[0], bn.gammaHistogram()[0], 1e-12);
        PointRecord failed =
                r.points().stream()
                        .filter(p -> p.status().equals("failed"))
                        .findFirst()
                        .orElseThrow();
        assertEquals(SampleSweep.FAILED_ERROR, failed.error());
        assertNull(failed.after().params());
        // 5 dense + 4 x 5 sparse + 98 x 3 finetune epochs
        assertEquals(5 + 20 + 294, r.epochs().size());
        assertEquals(3, r.epochs().stream().filter(e -> "p-00".equals(e.stageId())).count());
    }

    @Test
    void aSweepWithoutLambdaZeroOrSomeColumnsTakesTheDenseModelFromItsResultFile()
            throws Exception {
        // A trimmed table: no λ = 0 rows (so no row describes the dense model), no FPS or artifacts
        // columns
        // and no epochs table; the dense stage's result.json is there, as a sweep leaves it.
        Path trimmed = dir.resolve("trimmed");
        spark.read()
                .parquet(output.resolve("tables/points").toString())
                .where("lambda > 0")
                .drop("after_fps", "artifacts")
                .write()
                .parquet(trimmed.resolve("tables/points").toString());
        Map<String, Double> dense = new java.util.HashMap<>();
        double[] hist = SampleSweep.gammaHistogram(0);
        for (int i = 0; i < hist.length; i++) {
            dense.put("after.gamma_hist_" + i, hist[i]);
        }
        dense.put("after.gamma_mean_abs", 0.8);
        dense.put("after.fps", 99.0);
        dense.put("after.gflops", 8.2);
        Path result =
                Files.createDirectories(trimmed.resolve("stages/dense/d-0")).resolve("result.json");
        Files.writeString(
                result,
                StageJson.write(
                        StageResult.ok(
                                StageKind.DENSE, "d-0", dense, Map.of(), List.of(), Map.of())));

        TradeOffReport.Written w =
                TradeOffReport.write(
                        spark,
                        ResultsLocation.parse(trimmed.toString()),
                        trimmed.resolve("report").toString());
        SweepResults r = new ResultsReader(spark).read(ResultsLocation.parse(trimmed.toString()));
        assertEquals(80, r.points().size());
        assertTrue(r.points().stream().allMatch(p -> p.after().fps() == null));
        assertEquals(List.of(), r.epochs());
        assertEquals(99.0, DenseBaseline.of(r.points(), r.denseStages()).get(0).value(Axis.FPS));
        // params and GFLOPs trade-offs, 4 γ charts with the dense model from result.json; no FPS
        // chart, no curves
        assertEquals(6, w.charts());
        String html = Files.readString(trimmed.resolve("report/index.html"));
        assertEquals(
                4,
                Pattern.compile("dense: 1 model, mean \\|γ\\| 0.8000")
                        .matcher(html)
                        .results()
                        .count(),
                "γ captions");
        assertTrue(
                html.contains("mAP50-95 vs frames per second: no ok point has both"),
                "why a chart is missing");
        assertTrue(html.contains("Training curves: the epochs table has no rows"));
    }

    @Test
    void writesOneSelfContainedPageAndTheChartFilesBesideIt() throws Exception {
        assertEquals(
                report("index.html").toUri().getPath(),
                Path.of(written.indexUri().replace("file:", "")).toUri().getPath());
        assertEquals(SampleSweep.CHARTS, written.charts());
        String html = Files.readString(report("index.html"));
        Matcher img =
                Pattern.compile("data-file=\"([^\"]+\\.png)\" src=\"data:image/png;base64,")
                        .matcher(html);
        List<String> files = new ArrayList<>();
        while (img.find()) {
            files.add(img.group(1));
        }
        assertEquals(SampleSweep.CHARTS, files.size(), files.toString());
        for (String f : files) {
            BufferedImage png = ImageIO.read(report(f).toFile());
            assertNotNull(png, f);
            assertEquals(ChartImage.WIDTH * ChartImage.SCALE, png.getWidth(), 0.0, f);
        }
        assertTrue(
                files.containsAll(
                        List.of(
                                "map_vs_params.png",
                                "map_vs_gflops.png",
                                "map_vs_fps.png",
                                "gamma_lambda_0.0001.png",
                                "gamma_lambda_0.05.png",
                                "curves_dense.png",
                                "curves_sparse.png",
                                "curves_prune_finetune.png")),
                files.toString());
        // Self-contained: every src is inline data, every link a sibling file; no scheme anywhere.
        Matcher ref = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
        while (ref.find()) {
            assertTrue(
                    ref.group(1).startsWith("data:image/png;base64,")
                            || ref.group(1).matches("[\\w.-]+\\.png"),
                    ref.group(1));
        }
        assertFalse(html.contains("http://") || html.contains("https://"));
        // The failed point's error is shown, escaped; its script never becomes an element.
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assertFalse(html.contains("<script>alert"));
        assertTrue(
                html.contains("<span class=\"status-failed\">1 failed</span>"), "summary counts");
        assertTrue(html.contains("<span class=\"status-not_run\">1 not run</span>"));
        assertTrue(
                html.contains(
                        Format.duration(SampleSweep.COMPUTE_SECONDS) + " of stage wall time"));
        assertEquals("3 h 46 min", Format.duration(SampleSweep.COMPUTE_SECONDS));
        assertEquals(3, Pattern.compile("<tr data-tolerance=").matcher(html).results().count());
        assertTrue(
                written.seconds() < 20, "report took " + written.seconds() + " s for 100 points");
    }

    @Test
    void chromiumRendersEveryChartAndShowsTheErrors() throws Exception {
        assumeFalse(Chromium.skipped(), Chromium.SKIP_ENV + "=1: browser checks skipped");
        Chromium chromium = Chromium.find(Files.createDirectories(dir.resolve("chromium")));
        Path page = report("index.html");
        int width = 1400;
        String dom = chromium.dumpDom(page, width, 900);
        Map<String, String> body = bodyAttributes(dom);
        assertEquals(
                String.valueOf(SampleSweep.CHARTS),
                body.get("data-charts-total"),
                dom.substring(0, 400));
        assertEquals(
                String.valueOf(SampleSweep.CHARTS),
                body.get("data-charts-ok"),
                "charts the browser decoded");
        // The error as text in the DOM (serialization escapes < and & again), never as an element.
        assertTrue(dom.contains("would keep 0 &lt; min_channels &amp; \"8\""));
        assertTrue(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
        assertFalse(dom.contains("<script>alert"));
        assertTrue(dom.contains("the prune_finetune stage has no result yet"));

        int height = Integer.parseInt(body.get("data-page-height"));
        BufferedImage shot = chromium.screenshot(page, width, height);
        String[] rects = body.get("data-chart-rects").split(" ");
        assertEquals(SampleSweep.CHARTS, rects.length);
        Set<String> seen = new HashSet<>();
        for (String rect : rects) {
            int[] r =
                    java.util.Arrays.stream(rect.split(",")).mapToInt(Integer::parseInt).toArray();
            assertTrue(r[2] >= 300 && r[3] >= 200, "chart laid out too small: " + rect);
            assertTrue(
                    r[0] + r[2] <= shot.getWidth() && r[1] + r[3] <= shot.getHeight(),
                    "chart "
                            + rect
                            + " outside the "
                            + shot.getWidth()
                            + "x"
                            + shot.getHeight()
                            + " screenshot");
            Ink ink = Ink.of(shot, r[0], r[1], r[2], r[3]);
            assertTrue(
                    ink.nonWhiteShare() > 0.03 && ink.colours() >= 4,
                    "chart at " + rect + " looks blank: " + ink);
            assertTrue(seen.add(rect), "two charts at the same place " + rect);
        }
        // A control: the margin right of the centred page is background only.
        assertTrue(Ink.of(shot, width - 2, 0, 2, Math.min(height, 2000)).nonWhiteShare() < 0.001);
    }

    @Test
    void readsAndWritesThroughS3a() throws Exception {
        try (LocalS3 s3 =
                LocalS3.start(Files.createDirectories(dir.resolve("s3")), "report-results")) {
            s3.configure(spark.sparkContext().hadoopConfiguration());
            String sweep = "s3a://report-results/sweeps/sample";
            // S3Proxy's filesystem backend serves plain files as objects: put the tables there
            // directly.
            copyTree(
                    output.resolve("tables"),
                    dir.resolve("s3/store/report-results/sweeps/sample/tables"));
            TradeOffReport.Written w =
                    TradeOffReport.write(
                            spark, ResultsLocation.parse(sweep + "/tables/"), sweep + "/report");
            assertEquals(sweep + "/report/index.html", w.indexUri());
            assertEquals(SampleSweep.CHARTS, w.charts());
            // The objects are in the server's store, the page identical in substance to the local
            // one.
            Path stored = dir.resolve("s3/store/report-results/sweeps/sample/report");
            String html = Files.readString(stored.resolve("index.html"));
            assertTrue(html.contains("<span class=\"status-failed\">1 failed</span>"));
            assertTrue(Files.size(stored.resolve("map_vs_params.png")) > 10_000);
        }
    }

    @Test
    void theSweepHookWritesTheReportAndOnlyWarnsWhenItCannot() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(buf, true);
        TradeOffReport.afterSweep(spark, dir.resolve("no-such-sweep").toString(), "gone", console);
        assertTrue(buf.toString().contains("[gone] warning: no report written to"), buf.toString());
        assertTrue(buf.toString().contains("no points table at"), buf.toString());

        buf.reset();
        Path copy = dir.resolve("hooked");
        copyTree(output.resolve("tables"), copy.resolve("tables"));
        TradeOffReport.afterSweep(spark, copy.toString(), "sample", console);
        assertTrue(buf.toString().startsWith("[sample] report: "), buf.toString());
        assertTrue(Files.exists(copy.resolve("report/index.html")));
    }

    @Test
    void cliWritesWhereToldAndRejectsAMissingTableInOneLine() throws Exception {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code =
                ReportJob.commandLine(new ReportJob(new PrintStream(out, true)))
                        .setErr(new PrintWriter(err, true))
                        .execute("--results", dir.resolve("nothing").toString());
        assertEquals(2, code);
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("error: no points table at "), err.toString());

        Path cliOut = dir.resolve("cli-report");
        code =
                ReportJob.commandLine(new ReportJob(new PrintStream(out, true)))
                        .setErr(new PrintWriter(err, true))
                        .execute(
                                "--results",
                                output.resolve("tables").toString(),
                                "--out",
                                cliOut.toString());
        assertEquals(0, code, err.toString());
        assertTrue(
                out.toString().contains("(100 points, " + SampleSweep.CHARTS + " charts"),
                out.toString());
        assertTrue(Files.size(cliOut.resolve("index.html")) > 10_000);
        assertFalse(spark.sparkContext().isStopped(), "the CLI stopped a session it did not start");
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    private static Map<String, String> bodyAttributes(String dom) {
        Matcher body = Pattern.compile("<body([^>]*)>").matcher(dom);
        assertTrue(body.find(), "no <body> in the DOM");
        Map<String, String> attrs = new java.util.HashMap<>();
        Matcher a = Pattern.compile("([\\w-]+)=\"([^\"]*)\"").matcher(body.group(1));
        while (a.find()) {
            attrs.put(a.group(1), a.group(2));
        }
        return attrs;
    }

    /**
     * How much of a screenshot region is drawn on: share of non-white pixels and distinct colours.
     */
    record Ink(double nonWhiteShare, int colours) {
        static Ink of(BufferedImage img, int x0, int y0, int w, int h) {
            long nonWhite = 0;
            Set<Integer> colours = new HashSet<>();
            for (int y = y0; y < y0 + h; y++) {
                for (int x = x0; x < x0 + w; x++) {
                    int rgb = img.getRGB(x, y) & 0xFFFFFF;
                    int r = rgb >> 16;
                    int g = (rgb >> 8) & 0xFF;
                    int b = rgb & 0xFF;
                    if (r < 235 || g < 235 || b < 235) {
                        nonWhite++;
                    }
                    if (colours.size() < 64) {
                        colours.add(rgb & 0xF0F0F0);
                    }
                }
            }
            return new Ink(nonWhite / (double) (w * h), colours.size());
        }
    }
}
