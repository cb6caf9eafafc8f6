package io.prunesweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The report's reconstruction table pairs each setting's plain and re-fitted points and shows the
 * four mAP50-95 figures and the re-fit seconds; a sweep without reconstruction has no section.
 */
class ReconstructionTableTest {

    static PointRecord point(
            String id, String method, double ratio, boolean refit, double pruned, double tuned) {
        Map<String, Double> extra = new HashMap<>();
        extra.put(PointRecord.AFTER_PRUNE_MAP50_95, pruned);
        if (refit) {
            extra.put(PointRecord.RECONSTRUCT, 1.0);
            extra.put(PointRecord.RECONSTRUCT_SECONDS, 20.4);
        }
        return SparsityChartTest.point(id, method, ratio, extra, 1e6, 50, tuned);
    }

    @Test
    void pairsPlainAndRefittedPointsOfEachSetting() {
        List<PointRecord> points =
                List.of(
                        point("a", "bn", 0.4, false, 0.043, 0.221),
                        point("b", "bn", 0.4, true, 0.228, 0.230),
                        point("c", "l1", 0.2, false, 0.0, 0.151),
                        point("d", "unstructured", 0.4, false, 0.25, 0.27));
        List<ReconstructionTable.Row> rows = ReconstructionTable.rows(points);
        assertEquals(2, rows.size(), rows.toString()); // unstructured has no re-fit to compare
        ReconstructionTable.Row bn = rows.get(0);
        assertEquals("a", bn.plain().pointId());
        assertEquals("b", bn.refit().pointId());
        assertEquals(0.26, bn.dense(), 1e-12);
        assertNull(rows.get(1).refit());

        StringBuilder h = new StringBuilder();
        ReconstructionTable.render(h, points);
        String html = h.toString();
        assertTrue(html.contains("<section id=\"reconstruction\">"), html);
        String bnRow = html.substring(html.indexOf("bn λ=0 r=0.4"));
        bnRow = bnRow.substring(0, bnRow.indexOf("</tr>"));
        for (String v : List.of("0.2600", "0.0430", "0.2280", "0.2210", "0.2300", "20.4")) {
            assertTrue(bnRow.contains(">" + v + "<"), v + " in " + bnRow);
        }
    }

    @Test
    void noSectionWithoutReconstruction() {
        StringBuilder h = new StringBuilder();
        ReconstructionTable.render(h, List.of(point("a", "bn", 0.4, false, 0.043, 0.221)));
        assertEquals("", h.toString());
    }
}
