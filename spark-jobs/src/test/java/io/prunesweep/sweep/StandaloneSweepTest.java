package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.testing.StandaloneMaster;
import io.prunesweep.sweep.testing.TestSweeps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spark standalone cluster on 127.0.0.1 from the Spark jars: one Master and two Worker JVMs, each
 * worker with a resource file declaring two "GPUs" (addresses 0,1 and 2,3). The sweep is submitted
 * in client mode.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneSweepTest {
    @TempDir static Path dir;
    static Process master;
    static final List<Process> workers = new ArrayList<>();
    static String masterUrl;

    @BeforeAll
    static void startCluster() throws Exception {
        StandaloneMaster m = StandaloneMaster.start(dir);
        master = m.process();
        masterUrl = m.url();
        Map<String, String> env = m.env();
        String logConf = m.logConf();
        for (int w = 0; w < 2; w++) {
            Path resources =
                    Files.writeString(
                            dir.resolve("gpus-" + w + ".json"),
                            "[{\"id\":{\"componentName\":\"spark.worker\",\"resourceName\":\"gpu\"},"
                                    + "\"addresses\":[\""
                                    + (2 * w)
                                    + "\",\""
                                    + (2 * w + 1)
                                    + "\"]}]");
            Path props =
                    Files.writeString(
                            dir.resolve("worker-" + w + ".conf"),
                            "spark.worker.resource.gpu.amount 2\nspark.worker.resourcesFile "
                                    + resources
                                    + "\n");
            Path log = dir.resolve("worker-" + w + ".log");
            workers.add(
                    TestSweeps.startJvm(
                            "org.apache.spark.deploy.worker.Worker",
                            List.of(
                                    "--host",
                                    "127.0.0.1",
                                    "--cores",
                                    "2",
                                    "--memory",
                                    "1g",
                                    "--webui-port",
                                    Integer.toString(TestSweeps.freePort()),
                                    "--work-dir",
                                    Files.createDirectories(dir.resolve("work-" + w)).toString(),
                                    "--properties-file",
                                    props.toString(),
                                    masterUrl),
                            env,
                            log,
                            logConf));
            TestSweeps.waitForLog(log, "Successfully registered with master", 60_000);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (Process p : workers) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (master != null) {
            master.destroy();
            master.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static SweepConfig config(String id, Path out, String... more) throws Exception {
        List<String> sets =
                new ArrayList<>(
                        List.of(
                                "spark.master=" + masterUrl,
                                "spark.gpu_amount=1",
                                "spark.conf.spark.executor.resource.gpu.amount=2",
                                "spark.conf.spark.executor.cores=2",
                                "spark.conf.spark.executor.memory=512m",
                                "spark.conf.spark.driver.host=127.0.0.1",
                                "spark.conf.spark.executor.extraClassPath="
                                        + TestSweeps.classpath(),
                                "spark.conf.spark.executor.extraJavaOptions="
                                        + String.join(" ", TestSweeps.opens()),
                                "spark.conf.spark.cores.max=4"));
        sets.addAll(List.of(more));
        return TestSweeps.config(dir, id, TestSweeps.path(out), sets.toArray(new String[0]));
    }

    private static SweepRunner.Outcome run(SweepConfig config, ByteArrayOutputStream console) {
        SparkSession spark = SweepJob.session(config);
        try {
            return new SweepRunner(config, new PrintStream(console, true)).run(spark);
        } finally {
            spark.stop();
        }
    }

    @Test
    @Order(1)
    void everyTaskGetsItsOwnGpu() throws Exception {
        Path out = dir.resolve("gpus");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        SweepRunner.Outcome outcome = run(config("gpus", out), console);
        assertEquals(8, outcome.report().okPoints(), console.toString());
        Map<String, StageResult> results = TestSweeps.localResults(out);
        assertEquals(10, results.size());
        Set<String> used = new HashSet<>();
        List<StageResult> list = new ArrayList<>(results.values());
        for (StageResult r : list) {
            assertNotNull(r.gpuAddress(), r.pointId());
            assertEquals("gpu:0", r.device()); // the child sees only its pinned GPU
            assertEquals("toy-gpu CUDA_VISIBLE_DEVICES=" + r.gpuAddress(), r.gpuName());
            used.add(r.gpuAddress());
        }
        // Runs that overlapped in time never shared a GPU.
        for (int i = 0; i < list.size(); i++) {
            for (int j = i + 1; j < list.size(); j++) {
                StageResult a = list.get(i);
                StageResult b = list.get(j);
                boolean overlap =
                        Instant.parse(a.startedAt()).isBefore(Instant.parse(b.finishedAt()))
                                && Instant.parse(b.startedAt())
                                        .isBefore(Instant.parse(a.finishedAt()));
                if (overlap) {
                    assertTrue(
                            !a.gpuAddress().equals(b.gpuAddress()),
                            a.pointId()
                                    + " and "
                                    + b.pointId()
                                    + " ran at the same time on GPU "
                                    + a.gpuAddress());
                }
            }
        }
        assertTrue(used.size() >= 2, "GPUs used: " + used);
    }

    @Test
    @Order(2)
    void sweepSurvivesALostWorker() throws Exception {
        Path out = dir.resolve("kill");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        // Each stage sleeps 1.5 s so the kill lands while points are running.
        SweepConfig config =
                config(
                        "kill",
                        out,
                        "spark.child_java_options=[-XX:TieredStopAtLevel=1,-Dprunesweep.executor=io.prunesweep.sweep.testing.ToyStageExecutor,-Dprunesweep.test.sleepMs=1500]");
        CompletableFuture<SweepRunner.Outcome> sweep =
                CompletableFuture.supplyAsync(() -> run(config, console));
        Path pointsDir = out.resolve("stages/points");
        long end = System.currentTimeMillis() + 120_000;
        while (!(Files.isDirectory(pointsDir) && Files.list(pointsDir).count() >= 2)) {
            assertTrue(System.currentTimeMillis() < end, "no point started:\n" + console);
            Thread.sleep(100);
        }
        Process victim = workers.get(0);
        victim.descendants().forEach(ProcessHandle::destroyForcibly);
        victim.destroyForcibly();
        SweepRunner.Outcome outcome = sweep.get(240, TimeUnit.SECONDS);
        assertEquals(8, outcome.report().okPoints(), console.toString());
        List<Map<String, Object>> rows =
                TestSweeps.duck(
                        "SELECT point_id, status FROM read_parquet('"
                                + TestSweeps.path(out)
                                + "/tables/points/*.parquet')");
        assertEquals(8, rows.size());
        assertEquals(8, new HashSet<>(rows.stream().map(r -> r.get("point_id")).toList()).size());
        assertTrue(rows.stream().allMatch(r -> "ok".equals(r.get("status"))));
        assertEquals(10, TestSweeps.localResults(out).size());
    }
}
