package io.prunesweep.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.testing.StandaloneMaster;
import io.prunesweep.sweep.testing.TestSweeps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/submit-standalone.sh against a Spark standalone Master and Worker on 127.0.0.1 (started
 * from the Spark jars). The Worker finds its GPUs with deploy/gpu/get-gpus.sh, as the deploy README
 * tells operators to configure it, over a fake nvidia-smi listing four GPUs of which
 * CUDA_VISIBLE_DEVICES leaves it 1 and 3.
 */
class StandaloneSubmitTest {
    @TempDir static Path dir;
    static Process master;
    static Process worker;
    static String masterUrl;

    @BeforeAll
    static void startCluster() throws Exception {
        StandaloneMaster m = StandaloneMaster.start(dir);
        master = m.process();
        masterUrl = m.url();
        Map<String, String> env = new HashMap<>(m.env());
        String logConf = m.logConf();

        Path props =
                Files.writeString(
                        dir.resolve("worker.conf"),
                        "spark.worker.resource.gpu.amount 2\n"
                                + "spark.worker.resource.gpu.discoveryScript "
                                + Repo.file("deploy/gpu/get-gpus.sh")
                                + "\n");
        env.put("PATH", FakeNvidiaSmi.path(FakeNvidiaSmi.listing(dir.resolve("bin"), 4)));
        env.put("CUDA_VISIBLE_DEVICES", "3,1");
        Path workerLog = dir.resolve("worker.log");
        worker =
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
                                Files.createDirectories(dir.resolve("work")).toString(),
                                "--properties-file",
                                props.toString(),
                                masterUrl),
                        env,
                        workerLog,
                        logConf);
        TestSweeps.waitForLog(workerLog, "Successfully registered with master", 60_000);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (Process p : new Process[] {worker, master}) {
            if (p != null) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void sweepRunsOnTheWorkersDiscoveredGpusOnePerPoint() throws Exception {
        Path out = dir.resolve("out");
        Path sweep =
                TinySweep.write(
                        dir.resolve("sweep"), "deploy-standalone", out, "[0]", "[0.25, 0.5]");
        String cp = TestSweeps.classpath();
        Script.Result r =
                Script.of("deploy/submit-standalone.sh")
                        .env("PRUNESWEEP_APP_JAR", Repo.thinAppJar(dir).toString())
                        .env("PRUNESWEEP_SPARK_CLASSPATH", cp)
                        .run(
                                dir.resolve("logs"),
                                240,
                                "--master",
                                masterUrl,
                                "--gpus-per-executor",
                                "2",
                                "--executor-cores",
                                "2",
                                "--executor-memory",
                                "512m",
                                "--driver-memory",
                                "768m",
                                "--conf",
                                "spark.cores.max=2",
                                "--conf",
                                "spark.driver.host=127.0.0.1",
                                "--conf",
                                "spark.executor.extraClassPath=" + cp,
                                sweep.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("[deploy-standalone] 2/2 points ok"), r.stdout());

        Map<String, StageResult> results = TestSweeps.localResults(out);
        // 1 dense + 2 points; the two points run at once, one on each of the executor's two GPUs
        assertEquals(3, results.size(), "1 dense + 2 points: " + results.keySet());
        Set<String> used = new TreeSet<>();
        for (StageResult s : results.values()) {
            assertEquals("gpu:0", s.device(), s.pointId()); // the child sees only its pinned GPU
            assertEquals(
                    "toy-gpu CUDA_VISIBLE_DEVICES=" + s.gpuAddress(), s.gpuName(), s.pointId());
            used.add(s.gpuAddress());
        }
        assertEquals(Set.of("1", "3"), used, "the GPUs get-gpus.sh reported, and only those");
        List<Map<String, Object>> rows =
                TestSweeps.duck(
                        "SELECT DISTINCT gpu_address FROM read_parquet('"
                                + TestSweeps.path(out)
                                + "/tables/points/*.parquet') ORDER BY gpu_address");
        assertTrue(
                Set.of("1", "3").containsAll(rows.stream().map(m -> m.get("gpu_address")).toList()),
                rows.toString());
    }
}
