package io.prunesweep.sweep.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The successive-halving planner's decisions on hand-made results tables. */
class HalvingTest {
    static final Series A = new Series(0, 0, "bn");
    static final Series B = new Series(0, 0, "l1");
    static final Series C = new Series(0, 0.001, "bn");
    static final Series D = new Series(0, 0.001, "random");

    static SearchRow row(Series s, double ratio, int epochs, double map, double params) {
        return new SearchRow(s, ratio, epochs, 0, true, 0.5, map, params);
    }

    @Test
    void budgets() {
        assertEquals(1, Halving.firstEpochs(9, 3, 2, 0));
        assertEquals(3, Halving.firstEpochs(9, 3, 1, 0));
        assertEquals(1, Halving.firstEpochs(2, 3, 3, 0), "never below one epoch");
        assertEquals(2, Halving.firstEpochs(9, 3, 2, 2), "search.epochs wins");
        assertEquals(3, Halving.epochsAt(1, 9, 3, 2, 1));
        assertEquals(9, Halving.epochsAt(1, 9, 3, 2, 2));
        assertEquals(
                10, Halving.epochsAt(1, 10, 3, 2, 2), "the last round trains to the full budget");
    }

    @Test
    void paretoRanksByNonDominatedSorting() {
        // (map, params): 0 and 1 trade off; 2 is dominated by 0; 3 by everyone
        assertArrayEquals(
                new int[] {0, 0, 1, 2},
                Halving.paretoRanks(
                        new double[] {0.5, 0.4, 0.45, 0.3}, new double[] {100, 50, 120, 130}));
    }

    @Test
    void keepsTheBestThirdAndPromotesTheirPointsFromTheShortBudget() {
        List<SearchRow> table = new ArrayList<>();
        for (double r : new double[] {0.2, 0.4}) {
            double params = 1000 * (1 - r);
            table.add(row(A, r, 1, 0.40 - r / 10, params));
            table.add(row(B, r, 1, 0.45 - r / 10, params)); // B beats A at every ratio
            table.add(row(C, r, 1, 0.30 - r / 10, params));
            table.add(row(D, r, 1, 0.20 - r / 10, params));
        }
        Map<Series, Double> standings = Halving.standings(table, 1);
        assertEquals(List.of(B, A, C, D), List.copyOf(standings.keySet()));
        List<Proposal> next = Halving.next(table, 3, 1, 2, 1, 9);
        assertEquals(4, next.size(), "ceil(4/3) = 2 series, two ratios each: " + next);
        assertTrue(
                next.stream()
                        .allMatch(
                                p ->
                                        (p.series().equals(B) || p.series().equals(A))
                                                && p.epochs() == 3
                                                && p.resumeRatioEpochs() == 1
                                                && p.round() == 1),
                next.toString());
        assertTrue(
                next.get(0).reason().startsWith("halving round 1: series ranked 1 of 4"),
                next.get(0).reason());

        // round 2 ranks only the survivors at 3 epochs: A overtook B
        for (double r : new double[] {0.2, 0.4}) {
            table.add(row(A, r, 3, 0.60, 1000 * (1 - r)));
            table.add(row(B, r, 3, 0.50, 1000 * (1 - r)));
        }
        List<Proposal> last = Halving.next(table, 3, 2, 2, 1, 9);
        assertEquals(List.of(A, A), last.stream().map(Proposal::series).toList());
        assertEquals(9, last.get(0).epochs());
        table.add(row(A, 0.2, 9, 0.6, 800));
        assertEquals(List.of(), Halving.next(table, 3, 3, 2, 1, 9), "rounds spent");
    }
}
