package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.InputException;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The units a sensitivity scan prunes one at a time, on YOLOv8n: parity halves together, nothing
 * else touched.
 */
class SpaceUnitsTest {
    final ChannelSpaces cs =
            ChannelSpaces.of(GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 3));

    @Test
    void everyPrunableSpaceIsInExactlyOneUnitAndParityHalvesShareOne() {
        List<SpaceUnits.Unit> units = SpaceUnits.of(cs);
        assertEquals(cs.prunable().size(), units.stream().mapToInt(u -> u.members().size()).sum());
        assertEquals(
                cs.prunable().size() - cs.parityPairs().size(),
                units.size(),
                "one unit per C2f pair");
        SpaceUnits.Unit c2f = SpaceUnits.find(cs, "2.cv1[1]");
        assertEquals(List.of("2.cv1[0]", "2.cv1[1]"), c2f.members());
        assertEquals("2.cv1[0]", c2f.name());
        assertTrue(c2f.layers().contains(2), c2f.layers().toString());
        InputException e = assertThrows(InputException.class, () -> SpaceUnits.find(cs, "2.nope"));
        assertTrue(e.getMessage().startsWith("no prunable channel space '2.nope'"), e.getMessage());
    }

    @Test
    void aUnitsOverridesPruneItAloneUnderLocalScopeAtRatioZero() {
        SpaceUnits.Unit c2f = SpaceUnits.find(cs, "4.cv1[0]");
        PruneConfig config =
                new PruneConfig(
                        Method.RANDOM,
                        Scope.LOCAL,
                        0.0,
                        null,
                        null,
                        1,
                        1,
                        c2f.overrides(0.5, "scan"),
                        1,
                        0,
                        true,
                        640);
        double[][] scores = new double[cs.spaces().size()][];
        for (ChannelSpaces.Space s : cs.spaces()) {
            scores[s.id()] = new double[s.width()];
        }
        var rules =
                new ChannelSelector.Rules(
                        0,
                        Scope.LOCAL,
                        1,
                        1,
                        true,
                        config.overrides().resolve(cs).ratios(),
                        config.overrides().resolve(cs).excluded(),
                        null);
        int[][] kept = ChannelSelector.select(cs, scores, rules);
        for (ChannelSpaces.Space s : cs.spaces()) {
            int want = c2f.members().contains(s.name()) ? s.width() / 2 : s.width();
            assertEquals(want, kept[s.id()].length, s.name());
        }
        assertEquals(Map.of("4.cv1[0]", 0.5, "4.cv1[1]", 0.5), c2f.overrides(0.5, "x").ratios());
    }
}
