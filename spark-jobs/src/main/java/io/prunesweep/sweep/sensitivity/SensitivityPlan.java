package io.prunesweep.sweep.sensitivity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Li et al. (2016)'s rule on a sensitivity scan: per space, the largest ratio whose mAP50-95 drop
 * stays within a tolerance. Conservative on noisy curves: the ratio is the largest one before the
 * first ratio that drops too much, so a space whose curve dips and recovers is cut only up to the
 * dip. A space that drops too much at its smallest scanned ratio is excluded (kept whole). A pure
 * function of the table's rows.
 */
public final class SensitivityPlan {
    private SensitivityPlan() {}

    /** The value written for a space that no scanned ratio can prune within the tolerance. */
    public static final String EXCLUDE = "exclude";

    /**
     * One scanned point of one space.
     *
     * @param members the spaces pruned together with it (split parity partners), all named in the
     *     plan
     * @param delta mAP50-95 of the pruned model minus that of the input model (negative = a drop)
     */
    public record Point(String space, List<String> members, double ratio, double delta) {}

    /**
     * The plan: space name -> the ratio (a {@link Double}) or {@link #EXCLUDE}, in the order spaces
     * first appear in {@code points}; every member of a unit gets its unit's value.
     */
    public static Map<String, Object> plan(List<Point> points, double tolerance) {
        Map<String, List<Point>> bySpace = new LinkedHashMap<>();
        points.forEach(p -> bySpace.computeIfAbsent(p.space(), k -> new ArrayList<>()).add(p));
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Point>> e : bySpace.entrySet()) {
            List<Point> curve = new ArrayList<>(e.getValue());
            curve.sort(Comparator.comparingDouble(Point::ratio));
            Double best = null;
            for (Point p : curve) {
                if (-p.delta() > tolerance + 1e-12) {
                    break;
                }
                best = p.ratio();
            }
            Object value = best == null ? EXCLUDE : best;
            List<String> members =
                    curve.get(0).members().isEmpty() ? List.of(e.getKey()) : curve.get(0).members();
            members.forEach(m -> out.put(m, value));
        }
        return out;
    }

    /**
     * The plan as a YAML mapping, the form {@code prune --overrides FILE} reads and a sweep's
     * {@code prune.overrides} takes as is (inline, or as the file's path); {@code header} lines
     * become comments.
     */
    public static String yaml(Map<String, Object> plan, List<String> header) {
        StringBuilder sb = new StringBuilder();
        header.forEach(h -> sb.append("# ").append(h).append('\n'));
        plan.forEach(
                (k, v) ->
                        sb.append('"')
                                .append(k.replace("\"", "\\\""))
                                .append("\": ")
                                .append(v instanceof Double d ? trim(d) : v)
                                .append('\n'));
        return sb.toString();
    }

    private static String trim(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
