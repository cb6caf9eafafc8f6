package io.prunesweep.sweep.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The knee planner's decisions on hand-made results tables. */
class KneeSearchTest {
    static final Series BN = new Series(0, 0, "bn");
    static final Series L1 = new Series(0, 0.001, "l1");

    static SearchRow row(Series s, double ratio, double map) {
        return new SearchRow(s, ratio, 5, 0, true, 0.50, map, 1000.0);
    }

    @Test
    void addsTheMidpointOfTheBracketPerSeries() {
        List<SearchRow> table =
                List.of(
                        row(BN, 0.2, 0.499),
                        row(BN, 0.4, 0.495),
                        row(BN, 0.6, 0.40),
                        row(BN, 0.8, 0.20),
                        row(L1, 0.2, 0.45),
                        row(L1, 0.4, 0.30));
        List<Proposal> next = KneeSearch.next(table, 0.01, 0.05, 1);
        assertEquals(2, next.size(), next.toString());
        assertEquals(0.5, next.get(0).ratio(), 1e-12, "bn: within at 0.4, outside at 0.6");
        assertEquals(BN, next.get(0).series());
        assertEquals(5, next.get(0).epochs());
        assertTrue(
                next.get(0).reason().startsWith("knee round 1: midpoint of [0.4, 0.6]"),
                next.get(0).reason());
        assertEquals(
                0.1,
                next.get(1).ratio(),
                1e-12,
                "l1 is outside at its first ratio: the bracket starts at dense");
        assertTrue(next.get(1).reason().contains("delta dense within"), next.get(1).reason());
    }

    @Test
    void stopsWhenTheBracketIsNarrowEnoughOrAbsent() {
        List<SearchRow> table =
                new ArrayList<>(
                        List.of(
                                row(BN, 0.4, 0.495),
                                row(BN, 0.45, 0.40),
                                row(L1, 0.2, 0.499),
                                row(L1, 0.4, 0.498)));
        assertEquals(
                List.of(),
                KneeSearch.next(table, 0.01, 0.05, 2),
                "bn is 0.05 wide; l1 never leaves tolerance");
        assertEquals(
                1,
                KneeSearch.next(table, 0.01, 0.04, 2).size(),
                "a narrower width refines bn once more");
    }

    @Test
    void ignoresRecoveriesAboveTheFirstOutsideRatioAndFailedMidpoints() {
        List<SearchRow> table =
                new ArrayList<>(
                        List.of(row(BN, 0.2, 0.499), row(BN, 0.4, 0.3), row(BN, 0.6, 0.499)));
        KneeSearch.Bracket b = KneeSearch.brackets(table, 0.01).get(BN);
        assertEquals(0.2, b.lo(), 1e-12);
        assertEquals(0.4, b.hi(), 1e-12);
        assertEquals(0.3, KneeSearch.next(table, 0.01, 0.05, 1).get(0).ratio(), 1e-12);
        table.add(new SearchRow(BN, 0.3, 5, 1, false, 0.50, null, null));
        assertEquals(
                List.of(),
                KneeSearch.next(table, 0.01, 0.05, 2),
                "a failed midpoint is not proposed again");
    }

    @Test
    void midpointsAreShortDecimals() {
        List<SearchRow> table = List.of(row(BN, 0.1, 0.5), row(BN, 0.2, 0.1));
        assertEquals("0.15", Double.toString(KneeSearch.next(table, 0.01, 0.01, 1).get(0).ratio()));
    }
}
