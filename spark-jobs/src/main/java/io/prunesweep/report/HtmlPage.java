package io.prunesweep.report;

import static io.prunesweep.report.Html.escape;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The report as one self-contained HTML page: charts inlined as base64 PNG, styles inline, no
 * external URL and no script from anywhere else. Every value from the tables is escaped (error
 * texts contain anything).
 */
final class HtmlPage {
    private HtmlPage() {}

    private static final String STYLE =
            """
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #222;
                   margin: 0 auto; padding: 16px 24px 48px; max-width: 1400px; background: #fff; }
            h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px;
                   border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            table { border-collapse: collapse; margin: 6px 0 12px; }
            th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
            th { background: #f4f6f8; font-weight: 600; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            tr.front td:first-child { border-left: 4px solid #111; }
            .charts { display: flex; flex-wrap: wrap; gap: 16px; }
            figure.chart { margin: 0; border: 1px solid #e3e3e3; padding: 8px; background: #fff; }
            img.chart { display: block; max-width: 100%; height: auto; }
            figcaption { font-size: 12px; color: #555; max-width: 640px; margin-top: 4px; }
            pre.error { white-space: pre-wrap; word-break: break-word; max-width: 900px; max-height: 16em;
                   overflow: auto; margin: 0; font-size: 12px; background: #fff5f5; padding: 4px; }
            .status-ok { color: #1b5e20; } .status-failed { color: #b71c1c; font-weight: 600; }
            .status-not_run { color: #8d6e00; } .muted { color: #777; } ul.notes { color: #555; }
            """;

    /**
     * Runs after load: counts the charts the browser actually decoded and records where they were
     * laid out, so a headless-browser check can tell a drawn page from a broken one (and find the
     * charts in a screenshot).
     */
    private static final String CHECK_SCRIPT =
            """
            window.addEventListener('load', function () {
              var ok = 0, rects = [];
              document.querySelectorAll('img.chart').forEach(function (img) {
                if (img.complete && img.naturalWidth > 0 && img.naturalHeight > 0) { ok++; }
                var r = img.getBoundingClientRect();
                rects.push([r.left + window.scrollX, r.top + window.scrollY, r.width, r.height]
                    .map(Math.round).join(','));
              });
              document.body.setAttribute('data-charts-ok', String(ok));
              document.body.setAttribute('data-chart-rects', rects.join(' '));
              document.body.setAttribute('data-page-height', String(document.documentElement.scrollHeight));
            });
            """;

    static String render(ReportContent c) {
        StringBuilder h = new StringBuilder(64 * 1024);
        SweepSummary s = c.summary();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append(
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>PruneSweep report: ")
                .append(escape(s.title()))
                .append("</title>\n")
                .append("<style>\n")
                .append(STYLE)
                .append("</style>\n</head>\n")
                .append("<body data-charts-total=\"")
                .append(c.charts().size())
                .append("\">\n");
        header(h, c);
        recommended(h, c);
        baselines(h, c);
        charts(h, c);
        ReconstructionTable.render(h, c.points());
        failed(h, c);
        allPoints(h, c);
        h.append("<script>\n").append(CHECK_SCRIPT).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void header(StringBuilder h, ReportContent c) {
        SweepSummary s = c.summary();
        h.append("<header>\n<h1>Sweep <span id=\"sweep-id\">")
                .append(escape(s.title()))
                .append("</span></h1>\n")
                .append("<table id=\"summary\">\n");
        row(
                h,
                "points",
                s.points()
                        + " — <span class=\"status-ok\">"
                        + s.ok()
                        + " ok</span>, "
                        + "<span class=\"status-failed\">"
                        + s.failed()
                        + " failed</span>, "
                        + "<span class=\"status-not_run\">"
                        + s.notRun()
                        + " not run</span>"
                        + (s.otherStatus() > 0
                                ? ", " + s.otherStatus() + " with another status"
                                : ""));
        double saving =
                s.computeSeconds() > 0 ? s.endToEndSeconds() / s.computeSeconds() : Double.NaN;
        row(
                h,
                "compute time",
                escape(Format.duration(s.computeSeconds()))
                        + " of stage wall time (shared dense "
                        + "and sparse stages counted once); "
                        + escape(Format.duration(s.endToEndSeconds()))
                        + " if every point had run its own full pipeline"
                        + (Double.isNaN(saving) ? "" : " (" + Format.fixed(saving, 1) + "×)"));
        if (s.firstStart() != null || s.lastFinish() != null) {
            row(
                    h,
                    "point stages ran",
                    escape(orMissing(s.firstStart())) + " → " + escape(orMissing(s.lastFinish())));
        }
        row(h, "results", "<code>" + escape(c.source()) + "</code>");
        row(h, "generated", escape(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()));
        h.append("</table>\n</header>\n");
    }

    private static void recommended(StringBuilder h, ReportContent c) {
        h.append(
                "<section id=\"recommended\">\n<h2>Recommended points</h2>\n<p>The model with the fewest "
                        + "parameters whose mAP50-95 is within an <b>absolute</b> tolerance of its seed's dense baseline "
                        + "(0.005 = half a mAP50-95 point on the 0–1 scale).</p>\n<table>\n<tr><th>within</th>"
                        + "<th>point</th><th>method</th><th>λ</th><th>ratio</th><th>seed</th><th>params</th>"
                        + "<th>of dense</th><th>GFLOPs</th><th>mAP50-95</th><th>Δ vs dense</th><th>FPS</th></tr>\n");
        for (TradeOffs.Recommendation r : c.recommendations()) {
            h.append("<tr data-tolerance=\"")
                    .append(r.tolerance())
                    .append("\"><td>")
                    .append(Format.number(r.tolerance()))
                    .append("</td>");
            PointRecord p = r.point();
            if (p == null) {
                h.append("<td colspan=\"11\" class=\"muted\">no ok point is within ")
                        .append(Format.number(r.tolerance()))
                        .append(" mAP50-95 of its dense baseline</td></tr>\n");
                continue;
            }
            h.append(td(p.pointId()))
                    .append(td(p.method()))
                    .append(num(Format.number(p.lambdaOrZero())))
                    .append(num(Format.number(p.ratio())))
                    .append(num(p.seed() == null ? "–" : p.seed().toString()))
                    .append(num(Format.count(p.after().params())))
                    .append(num(Format.percent(fraction(p.after().params(), p.denseParams()))))
                    .append(num(Format.fixed(p.after().gflops(), 2)))
                    .append(num(Format.fixed(p.after().map5095(), 4)))
                    .append(num(Format.signed(p.deltaMap5095(), 4)))
                    .append(num(Format.fixed(p.after().fps(), 1)))
                    .append("</tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void baselines(StringBuilder h, ReportContent c) {
        h.append("<section id=\"baselines\">\n<h2>Dense baseline</h2>\n");
        if (c.baselines().isEmpty()) {
            h.append(
                    "<p class=\"muted\">No dense stage finished with a mAP50-95.</p>\n</section>\n");
            return;
        }
        h.append(
                "<table>\n<tr><th>dense stage</th><th>seed</th><th>params</th><th>GFLOPs</th><th>mAP50</th>"
                        + "<th>mAP50-95</th><th>FPS</th></tr>\n");
        for (DenseBaseline b : c.baselines()) {
            ModelMetrics m = b.metrics();
            h.append("<tr>")
                    .append(td(b.denseId()))
                    .append(num(b.seed() == null ? "–" : b.seed().toString()))
                    .append(num(Format.count(m.params())))
                    .append(num(Format.fixed(m.gflops(), 2)))
                    .append(num(Format.fixed(m.map50(), 4)))
                    .append(num(Format.fixed(m.map5095(), 4)))
                    .append(num(Format.fixed(m.fps(), 1)))
                    .append("</tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void charts(StringBuilder h, ReportContent c) {
        h.append("<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n");
        Base64.Encoder b64 = Base64.getEncoder();
        for (Chart chart : c.charts()) {
            h.append("<figure class=\"chart\" id=\"")
                    .append(escape(chart.fileName().replace(".png", "")))
                    .append("\">\n<img class=\"chart\" width=\"")
                    .append(chart.width())
                    .append("\" height=\"")
                    .append(chart.height())
                    .append("\" alt=\"")
                    .append(escape(chart.title()))
                    .append("\" data-file=\"")
                    .append(escape(chart.fileName()))
                    .append("\" src=\"data:image/png;base64,")
                    .append(b64.encodeToString(chart.png()))
                    .append("\">\n<figcaption>")
                    .append(escape(chart.caption()))
                    .append(" · <a href=\"")
                    .append(escape(chart.fileName()))
                    .append("\">PNG</a></figcaption>\n</figure>\n");
        }
        h.append("</div>\n");
        if (!c.notes().isEmpty()) {
            h.append("<ul class=\"notes\">\n");
            c.notes().forEach(n -> h.append("<li>").append(escape(n)).append("</li>\n"));
            h.append("</ul>\n");
        }
        h.append("</section>\n");
    }

    private static void failed(StringBuilder h, ReportContent c) {
        List<PointRecord> bad =
                c.points().stream()
                        .filter(p -> !p.ok())
                        .sorted(
                                Comparator.comparing(
                                                PointRecord::status,
                                                Comparator.nullsLast(Comparator.naturalOrder()))
                                        .thenComparing(
                                                PointRecord::pointId,
                                                Comparator.nullsLast(Comparator.naturalOrder())))
                        .toList();
        h.append("<section id=\"failed\">\n<h2>Failed and not-run points (")
                .append(bad.size())
                .append(")</h2>\n");
        if (bad.isEmpty()) {
            h.append("<p class=\"muted\">Every point finished.</p>\n</section>\n");
            return;
        }
        h.append(
                "<table>\n<tr><th>point</th><th>status</th><th>stage</th><th>settings</th><th>error</th></tr>\n");
        for (PointRecord p : bad) {
            h.append("<tr>")
                    .append(td(p.pointId()))
                    .append(status(p.status()))
                    .append(td(p.failedStage()))
                    .append(td(p.settingsLabel()))
                    .append("<td><pre class=\"error\">")
                    .append(escape(p.error()))
                    .append("</pre></td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void allPoints(StringBuilder h, ReportContent c) {
        Set<String> onFront = new HashSet<>();
        c.fronts().getOrDefault(Axis.PARAMS, List.of()).forEach(p -> onFront.add(p.pointId()));
        h.append(
                "<section id=\"points\">\n<h2>All points</h2>\n<p>Ok points by parameters; a dark left edge marks "
                        + "the Pareto front of mAP50-95 vs parameters.</p>\n<table>\n<tr><th>point</th><th>status</th>"
                        + "<th>method</th><th>λ</th><th>ratio</th><th>seed</th><th>params</th><th>nonzero params</th><th>GFLOPs</th>"
                        + "<th>mAP50</th><th>mAP50-95</th><th>Δ vs dense</th><th>FPS</th></tr>\n");
        List<PointRecord> sorted =
                c.points().stream()
                        .sorted(
                                Comparator.comparing((PointRecord p) -> !p.ok())
                                        .thenComparing(
                                                p -> p.after().params(),
                                                Comparator.nullsLast(Comparator.naturalOrder()))
                                        .thenComparing(
                                                PointRecord::pointId,
                                                Comparator.nullsLast(Comparator.naturalOrder())))
                        .toList();
        for (PointRecord p : sorted) {
            h.append(onFront.contains(p.pointId()) ? "<tr class=\"front\">" : "<tr>")
                    .append(td(p.pointId()))
                    .append(status(p.status()))
                    .append(td(p.method() + (p.reconstruct() ? " + reconstruct" : "")))
                    .append(num(Format.number(p.lambdaOrZero())))
                    .append(num(Format.number(p.ratio())))
                    .append(num(p.seed() == null ? "–" : p.seed().toString()))
                    .append(num(Format.count(p.after().params())))
                    .append(num(Format.count(p.after().nonzeroOrParams())))
                    .append(num(Format.fixed(p.after().gflops(), 2)))
                    .append(num(Format.fixed(p.after().map50(), 4)))
                    .append(num(Format.fixed(p.after().map5095(), 4)))
                    .append(num(Format.signed(p.deltaMap5095(), 4)))
                    .append(num(Format.fixed(p.after().fps(), 1)))
                    .append("</tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void row(StringBuilder h, String name, String html) {
        h.append("<tr><th>")
                .append(escape(name))
                .append("</th><td>")
                .append(html)
                .append("</td></tr>\n");
    }

    private static String td(String text) {
        return "<td>" + escape(text == null ? Format.MISSING : text) + "</td>";
    }

    private static String num(String text) {
        return "<td class=\"num\">" + escape(text) + "</td>";
    }

    private static String status(String status) {
        String s = status == null ? "unknown" : status;
        return "<td class=\"status-"
                + escape(s.replaceAll("[^a-z_]", ""))
                + "\">"
                + escape(s)
                + "</td>";
    }

    private static Double fraction(Double part, Double whole) {
        return part == null || whole == null || whole == 0 ? null : part / whole;
    }

    private static String orMissing(String s) {
        return s == null ? Format.MISSING : s;
    }
}
