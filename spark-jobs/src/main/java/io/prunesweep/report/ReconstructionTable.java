package io.prunesweep.report;

import static io.prunesweep.report.Html.escape;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's reconstruction section: for each (method, λ, ratio, seed) the sweep ran with and
 * without feature-map reconstruction, mAP50-95 dense | pruned | pruned + reconstructed | pruned +
 * finetuned | pruned + reconstructed + finetuned, and the re-fit's seconds. Empty (no section) when
 * no point re-fitted.
 */
final class ReconstructionTable {
    private ReconstructionTable() {}

    /** One row: the two points of a setting (either may be missing). */
    record Row(String label, PointRecord plain, PointRecord refit) {
        Double dense() {
            PointRecord p = plain != null ? plain : refit;
            return p.denseMap5095();
        }
    }

    static List<Row> rows(List<PointRecord> points) {
        if (points.stream().noneMatch(p -> p.ok() && p.reconstruct())) {
            return List.of();
        }
        Map<String, PointRecord[]> bySetting = new LinkedHashMap<>();
        points.stream()
                .filter(p -> p.ok() && !p.unstructured())
                .sorted(
                        Comparator.comparing(
                                        PointRecord::method,
                                        Comparator.nullsLast(String::compareTo))
                                .thenComparing(PointRecord::lambdaOrZero)
                                .thenComparing(
                                        PointRecord::ratio, Comparator.nullsLast(Double::compareTo))
                                .thenComparing(
                                        PointRecord::seed, Comparator.nullsLast(Long::compareTo)))
                .forEach(
                        p ->
                                bySetting
                                                .computeIfAbsent(
                                                        p.settingsLabel() + " seed=" + p.seed(),
                                                        k -> new PointRecord[2])[
                                                p.reconstruct() ? 1 : 0] =
                                        p);
        List<Row> out = new ArrayList<>();
        bySetting.forEach((label, pair) -> out.add(new Row(label, pair[0], pair[1])));
        return out;
    }

    static void render(StringBuilder h, List<PointRecord> points) {
        List<Row> rows = rows(points);
        if (rows.isEmpty()) {
            return;
        }
        h.append(
                "<section id=\"reconstruction\">\n<h2>Reconstruction</h2>\n<p>mAP50-95 of each setting"
                        + " pruned as is and re-fitted by least squares (no training), then both finetuned;"
                        + " re-fit seconds are the reconstruction's wall time.</p>\n<table>\n<tr><th>setting"
                        + "</th><th>dense</th><th>pruned</th><th>pruned + reconstructed</th><th>pruned +"
                        + " finetuned</th><th>reconstructed + finetuned</th><th>re-fit s</th></tr>\n");
        for (Row r : rows) {
            h.append("<tr><td>")
                    .append(escape(r.label()))
                    .append("</td>")
                    .append(num(r.dense()))
                    .append(num(r.plain() == null ? null : r.plain().afterPruneMap5095()))
                    .append(num(r.refit() == null ? null : r.refit().afterPruneMap5095()))
                    .append(num(r.plain() == null ? null : r.plain().after().map5095()))
                    .append(num(r.refit() == null ? null : r.refit().after().map5095()))
                    .append("<td class=\"num\">")
                    .append(
                            escape(
                                    Format.fixed(
                                            r.refit() == null
                                                    ? null
                                                    : r.refit().reconstructSeconds(),
                                            1)))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static String num(Double v) {
        return "<td class=\"num\">" + escape(Format.fixed(v, 4)) + "</td>";
    }
}
