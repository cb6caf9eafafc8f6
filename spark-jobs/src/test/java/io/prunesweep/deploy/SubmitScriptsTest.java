package io.prunesweep.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.prunesweep.sweep.SweepJob;
import io.prunesweep.sweep.testing.TestSweeps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/submit-*.sh: submit-local.sh runs a real sweep through SparkSubmit (no Spark
 * distribution); the others are checked through the exact spark-submit command they build
 * (--print-command), since YARN and Kubernetes do not run here.
 */
class SubmitScriptsTest {
    @TempDir static Path dir;
    static Path appJar;

    @BeforeAll
    static void appJar() {
        appJar = Repo.thinAppJar(dir);
    }

    /**
     * submit-local.sh without SPARK_HOME: SparkSubmit from the given jars (here the test
     * classpath).
     */
    private static Script local() {
        return Script.of("deploy/submit-local.sh")
                .env("PRUNESWEEP_APP_JAR", appJar.toString())
                .env("PRUNESWEEP_SPARK_CLASSPATH", TestSweeps.classpath());
    }

    @Test
    void localSweepRunsThroughSparkSubmitAndLeavesItsTables() throws Exception {
        Path out = dir.resolve("local-out");
        Path sweep = TinySweep.write(dir.resolve("local"), "deploy-local", out, "[0]", "[0.5]");
        Script.Result r =
                local().run(
                                dir.resolve("logs"),
                                180,
                                "--master",
                                "local[2]",
                                "--driver-memory",
                                "768m",
                                sweep.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(
                r.stdout()
                        .contains(
                                "[deploy-local] 1 points; shared plan = 1 dense + 0 sparse + 1 finetunes"),
                r.stdout());
        assertTrue(r.stdout().contains("[deploy-local] 1/1 points ok"), r.stdout());
        List<Map<String, Object>> rows =
                TestSweeps.duck(
                        "SELECT sweep_id, status, ratio, before_params, after_params "
                                + "FROM read_parquet('"
                                + TestSweeps.path(out)
                                + "/tables/points/*.parquet')");
        assertEquals(1, rows.size(), rows.toString());
        assertEquals("ok", rows.get(0).get("status"));
        // the toy's 32 channels, half pruned
        assertEquals(32000.0, (double) rows.get(0).get("before_params"), 1e-9);
        assertEquals(16000.0, (double) rows.get(0).get("after_params"), 1e-9);
        assertEquals(
                2L,
                TestSweeps.duck(
                                "SELECT count(*) AS n FROM read_parquet('"
                                        + TestSweeps.path(out)
                                        + "/tables/epochs/*.parquet') WHERE stage = 'dense'")
                        .get(0)
                        .get("n"));
    }

    @Test
    void dryRunPrintsThePlanAndBadInputIsOneLineWithExitTwo() throws Exception {
        Path sweep =
                TinySweep.write(
                        dir.resolve("dry"),
                        "deploy-dry",
                        dir.resolve("dry-out"),
                        "[0, 0.01]",
                        "[0.25, 0.5]");
        Script.Result plan = local().run(dir.resolve("logs"), 120, sweep.toString(), "--dry-run");
        assertEquals(0, plan.exitCode(), plan.toString());
        assertTrue(
                plan.stdout()
                        .contains(
                                "[deploy-dry] 4 points; shared plan = 1 dense + 1 sparse + 4 finetunes"),
                plan.stdout());
        assertTrue(!Files.exists(dir.resolve("dry-out")), "a dry run writes nothing");

        Script.Result bad =
                local().run(
                                dir.resolve("logs"),
                                120,
                                sweep.toString(),
                                "--set",
                                "prune.ratios=[1.5]",
                                "--dry-run");
        assertEquals(2, bad.exitCode(), bad.toString());
        List<String> errors =
                bad.stderrLines().stream().filter(l -> l.startsWith("error:")).toList();
        assertEquals(
                List.of("error: " + sweep + ": prune.ratios[0]=1.5 is outside [0,1)"),
                errors,
                bad.toString());
        assertEquals("", bad.stdout());
    }

    @Test
    void sparkHomeSparkSubmitIsUsedWhenSet() throws Exception {
        Path sparkHome = dir.resolve("fake-spark");
        Path argsFile = dir.resolve("spark-submit-args");
        Path bin = Files.createDirectories(sparkHome.resolve("bin"));
        Path submit =
                Files.writeString(
                        bin.resolve("spark-submit"),
                        "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + argsFile + "'\n");
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        Script.Result r =
                local().env("SPARK_HOME", sparkHome.toString())
                        .run(
                                dir.resolve("logs"),
                                30,
                                "--driver-memory",
                                "1g",
                                "conf/sweeps/quickstart.yaml",
                                "--dry-run");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(
                List.of(
                        "--master",
                        "local[*]",
                        "--class",
                        SweepJob.class.getName(),
                        "--driver-memory",
                        "1g",
                        appJar.toString(),
                        "conf/sweeps/quickstart.yaml",
                        "--dry-run"),
                Files.readAllLines(argsFile));
    }

    @Test
    void yarnSubmissionShipsTheSweepAndTheDiscoveryScript() throws Exception {
        Path sweep =
                TinySweep.write(
                        dir.resolve("yarn"),
                        "deploy-yarn",
                        dir.resolve("yarn-out"),
                        "[0]",
                        "[0.5]");
        List<String> cmd =
                printed(
                        Script.of("deploy/submit-yarn.sh").env("SPARK_HOME", "/opt/spark"),
                        "--gpus-per-executor",
                        "2",
                        "--num-executors",
                        "3",
                        "--queue",
                        "gpu",
                        sweep.toString(),
                        "--set",
                        "seeds=[1]");
        assertEquals("/opt/spark/bin/spark-submit", cmd.get(0));
        assertEquals("yarn", option(cmd, "--master"));
        assertEquals("cluster", option(cmd, "--deploy-mode"));
        assertEquals(SweepJob.class.getName(), option(cmd, "--class"));
        assertEquals("3", option(cmd, "--num-executors"));
        assertEquals("gpu", option(cmd, "--queue"));
        Map<String, String> conf = confs(cmd);
        assertEquals("2", conf.get("spark.executor.resource.gpu.amount"));
        assertEquals("1", conf.get("spark.task.resource.gpu.amount"));
        assertEquals("./get-gpus.sh", conf.get("spark.executor.resource.gpu.discoveryScript"));
        assertEquals("PCI_BUS_ID", conf.get("spark.executorEnv.CUDA_DEVICE_ORDER"));
        assertEquals(
                List.of(sweep.toString(), Repo.file("deploy/gpu/get-gpus.sh").toString()),
                List.of(option(cmd, "--files").split(",")));
        // YARN localizes --files into the container's working directory: the driver gets the bare
        // name.
        assertEquals(
                List.of("deploy-yarn.yaml", "--set", "seeds=[1]"),
                cmd.subList(cmd.size() - 3, cmd.size()));
        assertTrue(cmd.get(cmd.size() - 4).endsWith("-app.jar"), cmd.toString());
    }

    @Test
    void kubernetesSubmissionUsesTheImageLayoutAndTheRbacServiceAccount() throws Exception {
        List<String> cmd =
                printed(
                        Script.of("deploy/submit-k8s.sh").env("SPARK_HOME", "/opt/spark"),
                        "--master",
                        "k8s://https://10.0.0.1:443",
                        "--image",
                        "registry.example.com/prunesweep:0.1.0",
                        "--gpus-per-executor",
                        "1",
                        "/opt/prunesweep/conf/sweeps/coco-yolov8s.yaml");
        assertEquals("k8s://https://10.0.0.1:443", option(cmd, "--master"));
        assertEquals("cluster", option(cmd, "--deploy-mode"));
        Map<String, String> conf = confs(cmd);
        assertEquals(
                "registry.example.com/prunesweep:0.1.0",
                conf.get("spark.kubernetes.container.image"));
        assertEquals("nvidia.com", conf.get("spark.executor.resource.gpu.vendor"));
        assertEquals("1", conf.get("spark.executor.resource.gpu.amount"));
        assertEquals("1", conf.get("spark.task.resource.gpu.amount"));

        // What the script assumes about the cluster and the image is what deploy/k8s and
        // deploy/docker define.
        JsonNode account =
                Manifests.load("deploy/k8s/rbac.yaml").stream()
                        .filter(d -> "ServiceAccount".equals(d.path("kind").asText()))
                        .findFirst()
                        .orElseThrow();
        assertEquals(
                account.at("/metadata/name").asText(),
                conf.get("spark.kubernetes.authenticate.driver.serviceAccountName"));
        assertEquals(
                account.at("/metadata/namespace").asText(), conf.get("spark.kubernetes.namespace"));
        Dockerfile image = Dockerfile.parse(Repo.file("deploy/docker/Dockerfile"));
        assertTrue(
                image.finalStageCopiesTo(conf.get("spark.executor.resource.gpu.discoveryScript")),
                conf.toString());
        String resource = cmd.get(cmd.indexOf("/opt/prunesweep/conf/sweeps/coco-yolov8s.yaml") - 1);
        assertTrue(
                resource.startsWith("local://")
                        && image.finalStageCopiesTo(resource.substring("local://".length())),
                resource);
        // S3 credentials from the pod identity, handed to the sweep so the points' child JVMs get
        // them too.
        assertEquals(
                List.of(
                        "--set",
                        "spark.conf.spark.hadoop.fs.s3a.aws.credentials.provider="
                                + "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"),
                cmd.subList(cmd.size() - 2, cmd.size()));
    }

    @Test
    void missingOrBadOptionsAreOneLineErrors() throws Exception {
        assertUsageError(
                Script.of("deploy/submit-standalone.sh"),
                "--master spark://HOST:PORT is required",
                "x.yaml");
        assertUsageError(
                Script.of("deploy/submit-standalone.sh"),
                "--gpus-per-executor two: expected a whole number",
                "--master",
                "spark://h:7077",
                "--gpus-per-executor",
                "two",
                "x.yaml");
        assertUsageError(
                Script.of("deploy/submit-k8s.sh"),
                "--image REGISTRY/prunesweep:TAG is required",
                "--master",
                "k8s://https://h:443",
                "x.yaml");
        assertUsageError(Script.of("deploy/submit-yarn.sh"), "SPARK_HOME is not set", "x.yaml");
        assertUsageError(local(), "missing SWEEP_YAML", "--master", "local[2]");
        assertUsageError(
                local(),
                "--gpus-per-executor: Spark local mode does not schedule GPUs",
                "--gpus-per-executor",
                "1",
                "x.yaml");
    }

    private static void assertUsageError(Script script, String message, String... args)
            throws Exception {
        Script.Result r = script.run(dir.resolve("logs"), 30, args);
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.stderrLines().size(), r.toString());
        assertTrue(r.stderrLines().get(0).contains(": " + message), r.toString());
    }

    private static List<String> printed(Script script, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--print-command"));
        all.addAll(List.of(args));
        Script.Result r = script.run(dir.resolve("logs"), 30, all.toArray(new String[0]));
        assertEquals(0, r.exitCode(), r.toString());
        return Script.words(r.stdout(), dir.resolve("logs"));
    }

    private static String option(List<String> cmd, String name) {
        int i = cmd.indexOf(name);
        assertTrue(i >= 0 && i + 1 < cmd.size(), name + " missing in " + cmd);
        return cmd.get(i + 1);
    }

    /**
     * Every --conf key=value of a command; a key given twice keeps the last (as spark-submit does).
     */
    static Map<String, String> confs(List<String> cmd) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < cmd.size(); i++) {
            if (cmd.get(i).equals("--conf")) {
                String kv = cmd.get(i + 1);
                out.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return out;
    }

    static String describe(Map<String, String> m) {
        return m.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n"));
    }
}
