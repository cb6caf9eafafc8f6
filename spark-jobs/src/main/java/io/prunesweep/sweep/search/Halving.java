package io.prunesweep.sweep.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code search: {mode: halving, eta}}: successive halving over the (method, lambda) series. Round
 * 0 finetunes every point for a short budget; each later round keeps the best {@code ceil(n / eta)}
 * of the n series still in the race, ranked by the mean Pareto rank of their points (mAP50-95 up,
 * parameters down; ties by mean mAP50-95), and continues their points for {@code eta} times the
 * epochs from the previous round's checkpoint. The last round trains to the full {@code
 * epochs.finetune}. Pure functions of the results table.
 */
public final class Halving {
    private Halving() {}

    /**
     * Round 0's budget: {@code given} when set, else the full budget divided by eta once per round
     * (at least 1).
     */
    public static int firstEpochs(int full, int eta, int rounds, int given) {
        if (given > 0) {
            return Math.min(given, full);
        }
        int e = full;
        for (int i = 0; i < rounds; i++) {
            e /= eta;
        }
        return Math.max(1, e);
    }

    /**
     * The budget of round {@code round}: eta times the previous one, the full budget in the last
     * round.
     */
    public static int epochsAt(int first, int full, int eta, int rounds, int round) {
        if (round >= rounds) {
            return full;
        }
        long e = first;
        for (int i = 0; i < round; i++) {
            e *= eta;
        }
        return (int) Math.min(full, e);
    }

    /**
     * Pareto ranks (0 = non-dominated) of points (map up, params down), by non-dominated sorting.
     */
    static int[] paretoRanks(double[] map, double[] params) {
        int n = map.length;
        int[] rank = new int[n];
        java.util.Arrays.fill(rank, -1);
        int assigned = 0;
        for (int front = 0; assigned < n; front++) {
            List<Integer> now = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (rank[i] >= 0) {
                    continue;
                }
                boolean dominated = false;
                for (int j = 0; j < n && !dominated; j++) {
                    if (j == i || (rank[j] >= 0 && rank[j] < front)) {
                        continue;
                    }
                    dominated =
                            map[j] >= map[i]
                                    && params[j] <= params[i]
                                    && (map[j] > map[i] || params[j] < params[i]);
                }
                if (!dominated) {
                    now.add(i);
                }
            }
            for (int i : now) {
                rank[i] = front;
            }
            assigned += now.size();
        }
        return rank;
    }

    /** The series still racing at {@code epochs}, best first, with their mean Pareto rank. */
    public static Map<Series, Double> standings(List<SearchRow> rows, int epochs) {
        List<SearchRow> level =
                rows.stream()
                        .filter(
                                r ->
                                        r.ok()
                                                && r.epochs() == epochs
                                                && r.map() != null
                                                && r.params() != null)
                        .toList();
        double[] map = level.stream().mapToDouble(SearchRow::map).toArray();
        double[] params = level.stream().mapToDouble(SearchRow::params).toArray();
        int[] rank = paretoRanks(map, params);
        Map<Series, double[]> sums = new TreeMap<>(); // rank sum, map sum, count
        for (int i = 0; i < level.size(); i++) {
            double[] s = sums.computeIfAbsent(level.get(i).series(), k -> new double[3]);
            s[0] += rank[i];
            s[1] += map[i];
            s[2]++;
        }
        List<Map.Entry<Series, double[]>> order = new ArrayList<>(sums.entrySet());
        order.sort(
                Comparator.<Map.Entry<Series, double[]>>comparingDouble(
                                e -> e.getValue()[0] / e.getValue()[2])
                        .thenComparingDouble(e -> -e.getValue()[1] / e.getValue()[2])
                        .thenComparing(Map.Entry::getKey));
        Map<Series, Double> out = new LinkedHashMap<>();
        order.forEach(e -> out.put(e.getKey(), e.getValue()[0] / e.getValue()[2]));
        return out;
    }

    /**
     * The points round {@code round} (1..rounds) promotes: every ok point of the best {@code ceil(n
     * / eta)} series at the previous round's budget, at the next budget. Nothing when one series is
     * left or the budget cannot grow.
     */
    public static List<Proposal> next(
            List<SearchRow> rows, int eta, int round, int rounds, int first, int full) {
        int before = epochsAt(first, full, eta, rounds, round - 1);
        int after = epochsAt(first, full, eta, rounds, round);
        List<Proposal> out = new ArrayList<>();
        if (round > rounds || after <= before) {
            return out;
        }
        Map<Series, Double> standings = standings(rows, before);
        int n = standings.size();
        if (n <= 1) {
            return out;
        }
        int keep = (n + eta - 1) / eta;
        int place = 0;
        for (Map.Entry<Series, Double> e : standings.entrySet()) {
            if (place++ >= keep) {
                break;
            }
            String reason =
                    String.format(
                            Locale.ROOT,
                            "halving round %d: series ranked %d of %d (mean Pareto rank %.2f), best %d kept; epochs %d -> %d",
                            round,
                            place,
                            n,
                            e.getValue(),
                            keep,
                            before,
                            after);
            rows.stream()
                    .filter(r -> r.series().equals(e.getKey()) && r.ok() && r.epochs() == before)
                    .map(SearchRow::ratio)
                    .distinct()
                    .sorted()
                    .forEach(
                            ratio ->
                                    out.add(
                                            new Proposal(
                                                    e.getKey(),
                                                    ratio,
                                                    after,
                                                    round,
                                                    reason,
                                                    before)));
        }
        return out;
    }
}
