package io.prunesweep.sweep.sensitivity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prunesweep.prune.Overrides;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Li et al.'s rule on a hand-made sensitivity table, and its YAML read back by the engine's
 * overrides reader.
 */
class SensitivityPlanTest {
    @TempDir Path dir;

    static SensitivityPlan.Point p(String space, double ratio, double delta) {
        return new SensitivityPlan.Point(space, List.of(), ratio, delta);
    }

    @Test
    void largestRatioWithinToleranceExcludeWhenNone() {
        List<SensitivityPlan.Point> table =
                List.of(
                        p("2", 0.5, -0.005),
                        p("2", 0.25, -0.001),
                        p("2", 0.75, -0.02), // robust to 0.5
                        p("4", 0.25, -0.03),
                        p("4", 0.5, -0.08), // sensitive: exclude
                        p("6", 0.25, -0.002),
                        p("6", 0.5, -0.05),
                        p("6", 0.75, -0.001), // dips: stop at the dip
                        new SensitivityPlan.Point(
                                "8.cv1[0]", List.of("8.cv1[0]", "8.cv1[1]"), 0.25, 0.01));
        Map<String, Object> plan = SensitivityPlan.plan(table, 0.01);
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("2", 0.5);
        want.put("4", "exclude");
        want.put("6", 0.25);
        want.put("8.cv1[0]", 0.25);
        want.put("8.cv1[1]", 0.25);
        assertEquals(want, plan);
        assertEquals(0.75, SensitivityPlan.plan(table, 0.05).get("2"));
    }

    @Test
    void yamlIsWhatPruneOverridesReads() throws Exception {
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("2", 0.5);
        plan.put("4", "exclude");
        plan.put("8.cv1[1]", 0.25);
        Path f =
                Files.writeString(
                        dir.resolve("o.yaml"), SensitivityPlan.yaml(plan, List.of("a header")));
        Overrides o = Overrides.read(f);
        assertEquals(Map.of("2", 0.5, "8.cv1[1]", 0.25), o.ratios());
        assertEquals(Set.of("4"), o.excluded());
    }
}
