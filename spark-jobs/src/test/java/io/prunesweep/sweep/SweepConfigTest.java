package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.config.SweepConfigException;
import io.prunesweep.sweep.config.SweepConfigLoader;
import io.prunesweep.sweep.plan.GridPoint;
import io.prunesweep.sweep.plan.SweepPlan;
import io.prunesweep.sweep.plan.SweepPlanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepConfigTest {
    @TempDir Path dir;

    static final String VALID =
            """
            sweep: {id: t1}
            model: {yaml: MODEL, scale: n}
            data: {dataset: DATA, imgsz: 64, batch: 4}
            epochs: {dense: 2, sparse: 1, finetune: 1}
            seeds: [0, 1]
            sparse: {lambdas: [0, 0.001, 0.01]}
            prune: {methods: [bn, l1], ratios: [0.2, 0.4, 0.6], round_to: 4}
            output: OUT
            """;

    /** A real (small) model YAML: the validator builds the graph to check it. */
    static final String TINY_MODEL =
            """
            nc: 3
            scales: {n: [0.33, 0.25, 1024]}
            backbone:
              - [-1, 1, Conv, [16, 3, 2]]
              - [-1, 1, Conv, [32, 3, 2]]
              - [-1, 1, Conv, [32, 3, 2]]
            head:
              - [[0, 1, 2], 1, Detect, [nc]]
            """;

    private String yaml() throws Exception {
        Path model = Files.writeString(dir.resolve("tiny.yaml"), TINY_MODEL);
        Path data = Files.writeString(dir.resolve("data.yaml"), "names: [a]\n");
        return VALID.replace("MODEL", model.toString())
                .replace("DATA", data.toString())
                .replace("OUT", dir.resolve("out").toString());
    }

    private List<String> problems(String text, String... sets) {
        SweepConfigException e =
                assertThrows(
                        SweepConfigException.class,
                        () -> new SweepConfigLoader().parse("x.yaml", text, List.of(sets)));
        return e.problems();
    }

    @Test
    void validSweepBindsWithDefaults() throws Exception {
        SweepConfig c = new SweepConfigLoader().parse("x.yaml", yaml(), List.of());
        assertEquals("t1", c.sweep().id());
        assertEquals(List.of(0.2, 0.4, 0.6), c.prune().ratios());
        assertEquals("global", c.prune().scope());
        assertEquals(8, c.prune().minChannels());
        assertEquals(4, c.prune().roundTo());
        assertEquals(List.of(0L, 1L), c.seeds());
        assertEquals("local[*]", c.spark().master());
        assertEquals(1, c.spark().effectiveChildThreads());
        assertNull(c.model().checkpoint());
    }

    @Test
    void everyProblemIsReportedOnItsOwnLine() throws Exception {
        String bad =
                yaml().replace("ratios: [0.2, 0.4, 0.6]", "ratios: [0.2, 0.4, 1.2]")
                        .replace("methods: [bn, l1]", "methods: [bn, taylor]")
                        .replace("imgsz: 64", "imgsz: 100");
        bad =
                bad.replace(
                        dir.resolve("data.yaml").toString(),
                        dir.resolve("missing.yaml").toString());
        List<String> p = problems(bad);
        assertTrue(p.contains("x.yaml: prune.ratios[2]=1.2 is outside [0,1)"), p.toString());
        assertTrue(
                p.stream()
                        .anyMatch(
                                s ->
                                        s.startsWith(
                                                "x.yaml: prune.methods[1]=taylor is not a method; use one of bn, l1, l2, random, unstructured")),
                p.toString());
        assertTrue(
                p.stream()
                        .anyMatch(
                                s ->
                                        s.startsWith(
                                                "x.yaml: data.imgsz=100 must be a positive multiple of 32")));
        assertTrue(
                p.stream()
                        .anyMatch(
                                s ->
                                        s.startsWith(
                                                "x.yaml: data.dataset="
                                                        + dir.resolve("missing.yaml")
                                                        + " does not exist")),
                p.toString());
        assertEquals(4, p.size(), p.toString());
    }

    /**
     * A criterion registered in the engine's one registry is a valid sweep method with no edit
     * here.
     */
    @Test
    void aRegisteredCriterionIsAValidMethod() throws Exception {
        List<String> before =
                problems(yaml().replace("methods: [bn, l1]", "methods: [bn, toy-first]"));
        assertTrue(
                before.stream()
                        .anyMatch(
                                s ->
                                        s.startsWith(
                                                "x.yaml: prune.methods[1]=toy-first is not a method")),
                before.toString());
        io.prunesweep.prune.ImportanceRegistry.register(
                "toy-first",
                "the first channel matters most",
                (spaces, stateDict, seed) -> new double[spaces.spaces().size()][]);
        SweepConfig c =
                new SweepConfigLoader()
                        .parse(
                                "x.yaml",
                                yaml().replace("methods: [bn, l1]", "methods: [bn, TOY-first]"),
                                List.of());
        assertEquals(List.of("bn", "toy-first"), c.prune().methods());
        List<String> after = problems(yaml().replace("methods: [bn, l1]", "methods: [taylor]"));
        assertTrue(
                after.contains(
                        "x.yaml: prune.methods[0]=taylor is not a method; use one of bn, l1, l2, random, unstructured, toy-first"),
                after.toString());
    }

    @Test
    void theModelYamlMustBuildAtItsScale() throws Exception {
        Files.writeString(
                dir.resolve("broken.yaml"),
                "nc: 3\nscales: {n: [1, 1, 64]}\nbackbone:\n  - [-1, 1, Conv2000, [16, 3, 2]]\nhead: []\n");
        List<String> p =
                problems(
                        yaml().replace(
                                        dir.resolve("tiny.yaml").toString(),
                                        dir.resolve("broken.yaml").toString()));
        assertTrue(
                p.stream()
                        .anyMatch(
                                s ->
                                        s.startsWith("x.yaml: model.yaml: ")
                                                && s.contains("Conv2000")),
                p.toString());
        List<String> scale =
                problems(
                        yaml().replace(dir.resolve("tiny.yaml").toString(), "yolov8"),
                        "model.scale=n",
                        "data.dataset=shapes:train=8,val=2,colour=red");
        assertTrue(
                scale.stream().anyMatch(s -> s.contains("data.dataset: ") && s.contains("colour")),
                scale.toString());
        assertEquals(1, scale.size(), scale.toString());
    }

    @Test
    void convertedDatasetPrefixesAreCheckedUpFront() throws Exception {
        Files.createDirectories(dir.resolve("VOC2012/Annotations"));
        SweepConfig c =
                new SweepConfigLoader()
                        .parse(
                                "x.yaml",
                                yaml(),
                                List.of("data.dataset=voc:" + dir.resolve("VOC2012")));
        assertEquals("voc:" + dir.resolve("VOC2012"), c.data().dataset());
        List<String> p = problems(yaml(), "data.dataset=coco:" + dir.resolve("nococo"));
        assertTrue(
                p.stream()
                        .anyMatch(
                                s ->
                                        s.startsWith(
                                                "x.yaml: data.dataset="
                                                        + dir.resolve("nococo")
                                                        + " does not exist")),
                p.toString());
        List<String> q = problems(yaml().replace(dir.resolve("data.yaml").toString(), "'kitti:'"));
        assertTrue(
                q.stream()
                        .anyMatch(
                                s ->
                                        s.contains(
                                                "data.dataset: kitti:: name the source after the prefix")),
                q.toString());
    }

    @Test
    void trainHyperparametersBindValidateAndChangeTheStageIds() throws Exception {
        SweepConfig plain = new SweepConfigLoader().parse("x.yaml", yaml(), List.of());
        SweepConfig tuned =
                new SweepConfigLoader()
                        .parse(
                                "x.yaml",
                                yaml(),
                                List.of(
                                        "train.lr0=0.002",
                                        "train.optimizer=AdamW",
                                        "train.warmup_epochs=0"));
        assertEquals(
                Map.of("lr0", "0.002", "optimizer", "AdamW", "warmup_epochs", "0"), tuned.train());
        var a = io.prunesweep.sweep.plan.SweepPlanner.plan(plain);
        var b = io.prunesweep.sweep.plan.SweepPlanner.plan(tuned);
        assertEquals(
                "0.002",
                b.stages()
                        .get(io.prunesweep.pipeline.StageKind.PRUNE_FINETUNE)
                        .get(0)
                        .settings()
                        .train()
                        .get("lr0"));
        assertTrue(
                !a.stages()
                        .get(io.prunesweep.pipeline.StageKind.DENSE)
                        .get(0)
                        .id()
                        .equals(b.stages().get(io.prunesweep.pipeline.StageKind.DENSE).get(0).id()),
                "other weights, other stage");
        List<String> p =
                problems(yaml(), "train.lr00=0.1", "train.mosaic=lots", "train.optimizer=Adam");
        assertTrue(
                p.stream()
                        .anyMatch(
                                x ->
                                        x.contains(
                                                "train.lr00 is not a known setting; known: optimizer, lr0")),
                p.toString());
        assertTrue(
                p.stream().anyMatch(x -> x.contains("train.mosaic=lots is not a number")),
                p.toString());
        List<String> q = problems(yaml(), "train.optimizer=Adam");
        assertTrue(
                q.stream().anyMatch(x -> x.contains("optimizer must be auto, SGD or AdamW")),
                q.toString());
    }

    @Test
    void stageJvmsGetSparkSubmitsHadoopSettingsWithTheYamlsWinning() throws Exception {
        SweepConfig c =
                new SweepConfigLoader()
                        .parse(
                                "x.yaml",
                                yaml(),
                                List.of(
                                        "spark.conf.spark.hadoop.fs.s3a.endpoint=http://yaml:9000"));
        Map<String, String> session =
                Map.of(
                        "spark.hadoop.fs.s3a.endpoint",
                        "http://submit:9000",
                        "spark.hadoop.fs.s3a.path.style.access",
                        "true",
                        "spark.executor.memory",
                        "4g");
        assertEquals(
                Map.of("fs.s3a.endpoint", "http://yaml:9000", "fs.s3a.path.style.access", "true"),
                SweepRunner.childFsConf(session, c));
    }

    @Test
    void unknownKeysListTheValidOnes() throws Exception {
        List<String> p =
                problems(
                        yaml().replace("round_to: 4", "round_to: 4, ratio: 0.5")
                                + "colour: blue\n");
        assertTrue(
                p.contains(
                        "x.yaml: unknown key 'prune.ratio'; valid keys under prune: methods, ratios, scope, "
                                + "min_channels, round_to, reconstruct, overrides"),
                p.toString());
        assertTrue(
                p.stream()
                        .anyMatch(
                                s ->
                                        s.startsWith(
                                                "x.yaml: unknown key 'colour'; valid keys at the top level: "
                                                        + "sweep, model, data, epochs, seeds, sparse, prune, train, output, spark")),
                p.toString());
    }

    @Test
    void wrongTypesAndMissingRequiredKeys() {
        List<String> p =
                problems("sweep: {name: x}\ndata: {imgsz: big}\nprune: {ratios: [0.1, high]}\n");
        assertTrue(
                p.contains("x.yaml: data.imgsz must be a whole number, got 'big'"), p.toString());
        assertTrue(
                p.contains("x.yaml: prune.ratios[1] must be a number, got 'high'"), p.toString());
        assertTrue(p.contains("x.yaml: sweep.id is required"), p.toString());
        assertTrue(p.contains("x.yaml: output is required"), p.toString());
        assertTrue(p.contains("x.yaml: data.dataset is required"), p.toString());
        assertTrue(
                p.stream().anyMatch(s -> s.startsWith("x.yaml: model needs yaml")), p.toString());
    }

    @Test
    void overridesApplyToTheTreeBeforeValidation() throws Exception {
        SweepConfig c =
                new SweepConfigLoader()
                        .parse(
                                "x.yaml",
                                yaml(),
                                List.of(
                                        "prune.ratios=[0.3,0.5]",
                                        "seeds=7",
                                        "spark.master=local[2]",
                                        "prune.scope=local",
                                        "spark.conf.spark.ui.enabled=false"));
        assertEquals(List.of(0.3, 0.5), c.prune().ratios());
        assertEquals(List.of(7L), c.seeds());
        assertEquals("local[2]", c.spark().master());
        assertEquals("local", c.prune().scope());
        assertEquals("false", c.spark().conf().get("spark.ui.enabled"));

        List<String> p = problems(yaml(), "prune.ratio=[0.3]", "noequals");
        assertTrue(
                p.get(0).startsWith("--set prune.ratio: unknown key; valid keys: data.batch"),
                p.toString());
        assertTrue(p.get(1).startsWith("--set noequals: expected key.path=value"), p.toString());
        // an override is validated like the file's own value
        assertEquals(
                List.of("x.yaml: prune.ratios[1]=1.0 is outside [0,1)"),
                problems(yaml(), "prune.ratios=[0.5,1.0]"));
    }

    /**
     * The quickstart's ids, as the README and the trained fixtures name them: a refactor must not
     * move them.
     */
    @Test
    void quickstartPointIdsStayPut() throws Exception {
        String text =
                Files.readString(Paths.get("../conf/sweeps/quickstart.yaml"))
                        .replace("runs/sweeps/quickstart", dir.resolve("out").toString());
        SweepPlan plan =
                SweepPlanner.plan(
                        new SweepConfigLoader().parse("quickstart.yaml", text, List.of()));
        Map<String, String> ids =
                plan.points().stream()
                        .collect(
                                Collectors.toMap(
                                        p -> p.method() + " " + p.lambda() + " " + p.ratio(),
                                        GridPoint::pointId));
        assertEquals("p-6c80d6c97d", ids.get("bn 0.0 0.6"));
        assertEquals("p-33612fbd70", ids.get("bn 0.001 0.6"));
        assertEquals("d-0af958176a", plan.points().get(0).denseId());
    }

    @Test
    void planSharesDenseAndSparseStages() throws Exception {
        SweepConfig c = new SweepConfigLoader().parse("x.yaml", yaml(), List.of());
        SweepPlan plan = SweepPlanner.plan(c);
        // 2 seeds x 3 lambdas x 2 methods x 3 ratios
        assertEquals(36, plan.points().size());
        assertEquals(2, plan.dense().size());
        assertEquals(4, plan.sparse().size()); // 2 seeds x 2 lambdas > 0
        assertEquals(
                "36 points; shared plan = 2 dense + 4 sparse + 36 finetunes vs 36 full pipelines",
                plan.costSummary());
        assertEquals(
                36, new HashSet<>(plan.points().stream().map(GridPoint::pointId).toList()).size());
        // lambda 0 points start from their dense stage, the others from their sparse stage
        for (GridPoint p : plan.points()) {
            assertEquals(p.lambda() == 0 ? p.denseId() : p.sparseId(), p.task().inputId());
        }
        // same settings -> same ids; a different finetune length changes only the point ids
        SweepPlan again =
                SweepPlanner.plan(new SweepConfigLoader().parse("x.yaml", yaml(), List.of()));
        assertEquals(plan.tasksById().keySet(), again.tasksById().keySet());
        SweepPlan longer =
                SweepPlanner.plan(
                        new SweepConfigLoader()
                                .parse("x.yaml", yaml(), List.of("epochs.finetune=5")));
        assertEquals(plan.dense(), longer.dense());
        assertEquals(plan.sparse(), longer.sparse());
        assertNotEquals(plan.points().get(0).pointId(), longer.points().get(0).pointId());
    }

    @Test
    void reconstructIsAGridAxisThatKeepsTheIdsOfSweepsWithoutIt() throws Exception {
        SweepPlan plain =
                SweepPlanner.plan(new SweepConfigLoader().parse("x.yaml", yaml(), List.of()));
        SweepPlan off =
                SweepPlanner.plan(
                        new SweepConfigLoader()
                                .parse("x.yaml", yaml(), List.of("prune.reconstruct=false")));
        assertEquals(
                plain.tasksById().keySet(),
                off.tasksById().keySet(),
                "reconstruct: [false] is the old plan");
        assertTrue(plain.points().stream().noneMatch(GridPoint::reconstruct));
        SweepPlan both =
                SweepPlanner.plan(
                        new SweepConfigLoader()
                                .parse(
                                        "x.yaml",
                                        yaml(),
                                        List.of(
                                                "prune.reconstruct=[false,true]",
                                                "prune.methods=[bn,unstructured]")));
        // lambdas 3 x seeds 2 x ratios 3 x (bn, unstructured without; bn with): unstructured has no
        // channels to re-fit
        assertEquals(2 * 3 * 3 * 3, both.points().size());
        assertTrue(
                both.points().stream()
                        .noneMatch(p -> p.reconstruct() && p.method().equals("unstructured")));
        assertEquals(18, both.points().stream().filter(GridPoint::reconstruct).count());
        assertEquals(
                both.points().size(),
                new HashSet<>(both.points().stream().map(GridPoint::pointId).toList()).size());
        for (GridPoint p : both.points()) {
            assertEquals(p.reconstruct(), p.task().settings().reconstruct());
            if (!p.reconstruct() && p.method().equals("bn")) {
                assertTrue(
                        plain.tasksById().containsKey(p.pointId()),
                        "without reconstruction, the same id as before");
            }
        }
        assertEquals(plain.dense(), both.dense());
        List<String> p = problems(yaml(), "prune.reconstruct=[false, maybe]");
        assertEquals(List.of("x.yaml: prune.reconstruct[1] must be true or false, got 'maybe'"), p);
        List<String> q = problems(yaml(), "prune.reconstruct=[true, true]");
        assertTrue(
                q.stream().anyMatch(x -> x.contains("prune.reconstruct[1]=true is listed twice")),
                q.toString());
        List<String> r = problems(yaml(), "prune.reconstruct=true", "prune.methods=[unstructured]");
        assertTrue(r.stream().anyMatch(x -> x.contains("leaves no point")), r.toString());
    }

    @Test
    void shippedSweepsParseAndPlan() {
        Path sweeps = Paths.get(System.getProperty("user.dir")).getParent().resolve("conf/sweeps");
        SweepConfigLoader noFiles = new SweepConfigLoader(false);
        SweepPlan quick =
                SweepPlanner.plan(
                        noFiles.load(sweeps.resolve("quickstart.yaml").toString(), List.of()));
        assertEquals(
                "12 points; shared plan = 1 dense + 1 sparse + 12 finetunes vs 12 full pipelines",
                quick.costSummary());
        // the README's quickstart point ids are those of every earlier run (no reconstruct key: no
        // new ids)
        assertTrue(
                quick.tasksById().containsKey("p-6c80d6c97d")
                        && quick.tasksById().containsKey("p-33612fbd70"));
        SweepPlan methods =
                SweepPlanner.plan(
                        noFiles.load(sweeps.resolve("methods.yaml").toString(), List.of()));
        assertEquals(
                "15 points; shared plan = 1 dense + 0 sparse + 15 finetunes vs 15 full pipelines",
                methods.costSummary());
        assertEquals(
                quick.dense().get(0).id(),
                methods.dense().get(0).id(),
                "the quickstart's dense stage");
        SweepConfig coco = noFiles.load(sweeps.resolve("coco-yolov8s.yaml").toString(), List.of());
        assertEquals(1.0, coco.spark().gpuAmount());
        assertEquals(
                "120 points; shared plan = 2 dense + 4 sparse + 120 finetunes vs 120 full pipelines",
                SweepPlanner.plan(coco).costSummary());
        assertEquals(
                List.of("s-"),
                quick.sparse().stream()
                        .map(t -> t.id().substring(0, 2))
                        .distinct()
                        .collect(Collectors.toList()));
    }
}
