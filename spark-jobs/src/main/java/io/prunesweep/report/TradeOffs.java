package io.prunesweep.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The numbers behind the report's conclusions: the Pareto front of accuracy against a cost, and the
 * recommended points. Pure logic over {@link PointRecord}s, no Spark and no drawing.
 */
public final class TradeOffs {
    private TradeOffs() {}

    /**
     * "Within 0.5 %, 1 %, 2 % of the dense baseline" as absolute mAP50-95 points on the 0..1 scale
     * (0.005, 0.01, 0.02), as pruning papers quote accuracy drops; same convention as the sweep's
     * console summary. A relative reading (0.5 % of 0.40 = 0.002) would make the tolerance shrink
     * with a weak baseline.
     */
    public static final List<Double> TOLERANCES = List.of(0.005, 0.01, 0.02);

    /**
     * Slack for values that sit exactly on a tolerance boundary after floating-point subtraction.
     */
    private static final double EPS = 1e-9;

    /**
     * A recommendation: the smallest model within {@code tolerance} of its dense baseline, or none.
     */
    public record Recommendation(double tolerance, PointRecord point) {
        public boolean found() {
            return point != null;
        }
    }

    /** Points whose pruned model has both mAP50-95 and a value on {@code axis}. */
    public static List<PointRecord> measured(Collection<PointRecord> points, Axis axis) {
        return points.stream()
                .filter(PointRecord::ok)
                .filter(p -> p.after().map5095() != null && !p.after().map5095().isNaN())
                .filter(p -> axis.of(p.after()) != null)
                .toList();
    }

    /**
     * The ok points no other point beats: none has a cost at least as good on {@code axis} and a
     * mAP50-95 at least as high, with one of the two strictly better. Ordered from the best cost
     * (smallest model, or fastest for FPS) to the most accurate. Identical points are all kept.
     */
    public static List<PointRecord> paretoFront(Collection<PointRecord> points, Axis axis) {
        // Cost made "lower is better" for every axis; sort by cost, most accurate first among equal
        // costs.
        Comparator<PointRecord> byCost = Comparator.comparingDouble(p -> cost(p, axis));
        List<PointRecord> sorted = new ArrayList<>(measured(points, axis));
        sorted.sort(
                byCost.thenComparing(
                                Comparator.comparingDouble((PointRecord p) -> p.after().map5095())
                                        .reversed())
                        .thenComparing(
                                PointRecord::pointId,
                                Comparator.nullsLast(Comparator.naturalOrder())));
        List<PointRecord> front = new ArrayList<>();
        double bestMap = Double.NEGATIVE_INFINITY;
        PointRecord last = null;
        for (PointRecord p : sorted) {
            double map = p.after().map5095();
            boolean sameAsLast =
                    last != null && map == bestMap && cost(p, axis) == cost(last, axis);
            if (map > bestMap || sameAsLast) {
                front.add(p);
                bestMap = map;
                last = p;
            }
        }
        // Walking costs upwards, each kept point is more accurate than all cheaper ones: best cost
        // first.
        return front;
    }

    /** One recommendation per tolerance of {@link #TOLERANCES}. */
    public static List<Recommendation> recommend(Collection<PointRecord> points) {
        return TOLERANCES.stream().map(t -> recommend(points, t)).toList();
    }

    /**
     * The ok point with the fewest parameters whose mAP50-95 is at least its own seed's dense
     * mAP50-95 minus {@code tolerance} (inclusive); ties go to the higher mAP50-95, then the point
     * id.
     */
    public static Recommendation recommend(Collection<PointRecord> points, double tolerance) {
        PointRecord best =
                measured(points, Axis.PARAMS).stream()
                        .filter(p -> p.denseMap5095() != null && !p.denseMap5095().isNaN())
                        .filter(p -> p.deltaMap5095() >= -tolerance - EPS)
                        .min(
                                Comparator.comparingDouble((PointRecord p) -> p.after().params())
                                        .thenComparing(
                                                Comparator.comparingDouble(
                                                                (PointRecord p) ->
                                                                        p.after().map5095())
                                                        .reversed())
                                        .thenComparing(
                                                PointRecord::pointId,
                                                Comparator.nullsLast(Comparator.naturalOrder())))
                        .orElse(null);
        return new Recommendation(tolerance, best);
    }

    private static double cost(PointRecord p, Axis axis) {
        double v = axis.of(p.after());
        return axis.lowerIsBetter() ? v : -v;
    }
}
