package io.prunesweep.sweep.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.SweepJob;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.config.SweepConfigException;
import io.prunesweep.sweep.config.SweepConfigLoader;
import io.prunesweep.sweep.plan.SweepPlan;
import io.prunesweep.sweep.plan.SweepPlanner;
import io.prunesweep.sweep.testing.TestSweeps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The new keys (mode, sensitivity, search, prune.overrides) are validated up front, one line per
 * problem.
 */
class SearchConfigTest {
    @TempDir Path dir;

    String yaml() {
        return """
                sweep: {id: s}
                model: {yaml: yolov8, scale: n}
                data: {dataset: "shapes:train=8,val=4", imgsz: 64, batch: 4}
                epochs: {dense: 1, finetune: 3}
                prune: {methods: [bn, l1], ratios: [0.2, 0.4]}
                output: "%s"
                """
                .formatted(dir.resolve("out"));
    }

    List<String> problems(String text, String... sets) {
        return assertThrows(
                        SweepConfigException.class,
                        () -> new SweepConfigLoader().parse("x.yaml", text, List.of(sets)))
                .problems();
    }

    @Test
    void oneClearLinePerProblem() {
        List<String> p =
                problems(
                        yaml(),
                        "mode=scan",
                        "search.mode=bisect",
                        "sensitivity.tolerances=[0, 0.01]",
                        "sensitivity.points_per_task=0",
                        "prune.overrides.99=0.5",
                        "prune.overrides.2=half");
        assertEquals(
                List.of(
                        "x.yaml: mode='scan' must be grid (finetune every point) or sensitivity (prune one channel space at a "
                                + "time, no finetune)",
                        "x.yaml: prune.overrides: override '2: half' must be a ratio in [0, 1) or 'exclude'",
                        "x.yaml: sensitivity.points_per_task=0 must be at least 1",
                        "x.yaml: sensitivity.tolerances[0]=0.0 must be an mAP50-95 drop in (0, 1), e.g. 0.01",
                        "x.yaml: search.mode='bisect' must be knee (refine the ratio grid around the knee) or halving "
                                + "(successive halving over the (method, lambda) series), or none"),
                p);

        List<String> q = problems(yaml(), "search.mode=knee", "search.width=2", "search.rounds=0");
        assertEquals(
                List.of(
                        "x.yaml: search.rounds=0 must be at least 1",
                        "x.yaml: search.width=2.0 must be a ratio bracket width in (0, 1), e.g. 0.05"),
                q);

        List<String> r =
                problems(
                        yaml(),
                        "mode=sensitivity",
                        "prune.ratios=[0, 0.5]",
                        "sensitivity.spaces=[\"1\", \"nope\"]",
                        "search.mode=halving");
        assertTrue(
                r.contains(
                        "x.yaml: prune.ratios[0]=0.0 prunes nothing in a sensitivity scan; use ratios above 0, "
                                + "e.g. [0.1, 0.2, ..., 0.9]"),
                r.toString());
        assertTrue(
                r.stream()
                        .anyMatch(
                                l ->
                                        l.startsWith(
                                                "x.yaml: sensitivity.spaces[1]: no prunable channel space 'nope'")),
                r.toString());
        assertTrue(
                r.contains(
                        "x.yaml: search: applies to mode: grid, not to a sensitivity scan; remove the search section"),
                r.toString());
        assertEquals(3, r.size(), r.toString());

        List<String> s = problems(yaml(), "prune.overrides.77=0.5");
        assertTrue(
                s.get(0)
                        .startsWith(
                                "x.yaml: prune.overrides: override key '77' names no layer (0..22)"),
                s.toString());
    }

    @Test
    void idsOfPlainGridsDoNotChangeAndNewKeysShapeThem() {
        SweepConfig plain = new SweepConfigLoader().parse("x.yaml", yaml(), List.of());
        SweepPlan p = SweepPlanner.plan(plain);
        var point = p.points().get(0);
        assertEquals(
                io.prunesweep.sweep.plan.PointIds.of(
                        "p-", "point", point.denseId(), "bn", 0.2, "global", 8, 1, 3),
                point.pointId(),
                "the id formula of sweeps without the new keys");
        SweepConfig overridden =
                new SweepConfigLoader().parse("x.yaml", yaml(), List.of("prune.overrides.2=0.5"));
        assertEquals(
                Map.of("2", "0.5"),
                SweepPlanner.plan(overridden).points().get(0).task().settings().overrides());
        assertTrue(
                !SweepPlanner.plan(overridden).points().get(0).pointId().equals(point.pointId()));
        SweepConfig halving =
                new SweepConfigLoader().parse("x.yaml", yaml(), List.of("search.mode=halving"));
        assertEquals(
                1,
                SweepPlanner.plan(halving).points().get(0).task().settings().epochs(),
                "round 0 of halving finetunes for the short budget (3 / 3^3, at least 1)");
    }

    @Test
    void theExampleSweepsValidateAndPlan() {
        Path sweeps =
                java.nio.file.Paths.get(System.getProperty("user.dir"))
                        .getParent()
                        .resolve("conf/sweeps");
        SweepConfigLoader noFiles = new SweepConfigLoader(false);
        SweepPlan scan =
                SweepPlanner.plan(
                        noFiles.load(sweeps.resolve("sensitivity.yaml").toString(), List.of()));
        assertEquals(10, scan.scans().size());
        assertEquals(
                51 * 9,
                scan.scans().stream().mapToInt(t -> t.settings().scan().size()).sum(),
                "YOLOv8n has 51 prunable units, scanned at 9 ratios");
        assertEquals(List.of(), scan.points());
        SweepConfig knee = noFiles.load(sweeps.resolve("knee.yaml").toString(), List.of());
        assertEquals(4, SweepPlanner.plan(knee).points().size());
        assertTrue(SearchRules.describe(knee).startsWith("search knee: round 0 is the grid above"));
        SweepConfig halving = noFiles.load(sweeps.resolve("halving.yaml").toString(), List.of());
        assertTrue(
                SweepPlanner.plan(halving).points().stream()
                        .allMatch(p -> p.task().settings().epochs() == 1));
        assertTrue(
                SearchRules.describe(halving).endsWith("epochs per round 1 -> 3 -> 9"),
                SearchRules.describe(halving));
    }

    @Test
    void dryRunPrintsTheFirstRoundAndTheRules() throws Exception {
        Path yaml = TestSweeps.yamlFile(dir, "dry", TestSweeps.path(dir.resolve("out")));
        String knee =
                dryRun(
                        yaml,
                        "search.mode=knee",
                        "search.tolerance=0.02",
                        "search.width=0.1",
                        "search.rounds=2");
        // round 0 is the grid: 2 lambdas x 2 methods x 2 ratios, nothing of later rounds
        assertEquals(8, knee.lines().filter(l -> l.startsWith("  prune_finetune ")).count(), knee);
        assertTrue(
                knee.contains(
                        "[dry] search knee: round 0 is the grid above; then, per (method, lambda) series, each "
                                + "round adds the midpoint between the largest ratio within 0.02 mAP50-95 of dense and the smallest ratio "
                                + "outside it, until that bracket is at most 0.1 wide or 2 rounds are spent"),
                knee);
        String halving =
                dryRun(
                        yaml,
                        "search.mode=halving",
                        "search.eta=2",
                        "search.rounds=1",
                        "epochs.finetune=4");
        assertEquals(
                8, halving.lines().filter(l -> l.startsWith("  prune_finetune ")).count(), halving);
        assertTrue(
                halving.contains(
                        "[dry] search halving: round 0 is the grid above at 2 finetune epochs; each of up to 1 "
                                + "rounds keeps the best 1/2 of the (method, lambda) series"),
                halving);
        assertTrue(halving.trim().endsWith("epochs per round 2 -> 4"), halving);
        String plain = dryRun(yaml);
        assertTrue(!plain.contains("search "), "no search section, no rules: " + plain);
    }

    private static String dryRun(Path yaml, String... sets) {
        List<String> args = new ArrayList<>(List.of(yaml.toString(), "--dry-run"));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        var cl =
                SweepJob.commandLine(
                        new SweepJob(new PrintStream(out, true, StandardCharsets.UTF_8)));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
        return out.toString(StandardCharsets.UTF_8);
    }
}
