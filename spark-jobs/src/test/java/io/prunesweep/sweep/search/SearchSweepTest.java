package io.prunesweep.sweep.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.testing.TestSweeps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A knee search end to end under Spark local[2] with the toy executor (a 32-channel model of which
 * 12 carry the signal, so accuracy falls once more than 20 of 32 channels go: a knee at ratio
 * 0.625): rounds run as further Spark jobs on the shared dense and sparse stages, their points
 * carry round and reason, and a re-run adds no row.
 */
class SearchSweepTest {
    @TempDir Path dir;

    @Test
    void kneeRoundsNarrowTheBracketAndAReRunAddsNothing() throws Exception {
        String out = TestSweeps.path(dir.resolve("out"));
        SweepConfig config =
                TestSweeps.config(
                        dir,
                        "knee",
                        out,
                        "prune.methods=[bn]",
                        "prune.ratios=[0.25,0.5,0.75]",
                        "search.mode=knee",
                        "search.tolerance=0.01",
                        "search.width=0.1",
                        "search.rounds=3");
        String first = TestSweeps.run(config);
        String query =
                "SELECT \"lambda\", ratio, \"round\", reason, status, dense_map50_95 - after_map50_95 AS map_drop FROM "
                        + "read_parquet('"
                        + out
                        + "/tables/points/*.parquet') ORDER BY \"lambda\", ratio";
        List<Map<String, Object>> rows = TestSweeps.duck(query);
        assertTrue(rows.size() > 6, "the search added points: " + rows);
        for (Map<String, Object> r : rows) {
            assertEquals("ok", r.get("status"), r.toString());
            int round = (int) r.get("round");
            String reason = (String) r.get("reason");
            assertTrue(
                    round == 0 ? reason.equals("grid") : reason.startsWith("knee round " + round),
                    r.toString());
        }
        // per lambda: the final bracket is at most 0.1 wide; without the toy's (harsh) L1 it holds
        // the true knee,
        // 12 of 32 channels kept
        for (double lambda : new double[] {0, 0.01}) {
            double lo = 0;
            double hi = 1;
            for (Map<String, Object> r : rows) {
                if ((double) r.get("lambda") != lambda) {
                    continue;
                }
                double ratio = (double) r.get("ratio");
                if ((double) r.get("map_drop") <= 0.01) {
                    if (ratio < hi) {
                        lo = Math.max(lo, ratio);
                    }
                } else {
                    hi = Math.min(hi, ratio);
                }
            }
            assertTrue(
                    hi - lo <= 0.1 + 1e-9 && (lambda > 0 || (lo <= 0.625 && 0.625 <= hi)),
                    lambda + ": [" + lo + ", " + hi + "] " + first);
        }
        assertTrue(first.contains("search knee round 1: 2 points"), first);

        String again = TestSweeps.run(config);
        assertTrue(
                !again.contains(" to run, ")
                        || again.lines()
                                .filter(l -> l.contains(" to run, "))
                                .allMatch(l -> l.contains(": 0 to run")),
                again);
        assertEquals(
                rows,
                TestSweeps.duck(query),
                "a re-run resumes the search where it stopped: no new rows");
    }
}
