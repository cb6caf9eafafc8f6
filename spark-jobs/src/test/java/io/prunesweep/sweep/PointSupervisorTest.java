package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.pipeline.StageJson;
import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageRequest;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.pipeline.StageSettings;
import io.prunesweep.sweep.run.ChildJvm;
import io.prunesweep.sweep.run.PointSupervisor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor alone: a real child JVM per stage, without Spark. */
class PointSupervisorTest {
    @TempDir Path dir;

    private StageRequest dense(String id) {
        StageSettings s =
                new StageSettings(
                        "m.yaml", "n", null, "shapes:x", 64, 4, 2, 0, 0, null, 0, null, 0, 0);
        return new StageRequest(
                StageKind.DENSE,
                "t",
                id,
                s,
                List.of(),
                dir.resolve(id).toUri().toString(),
                "cpu",
                null,
                1,
                Map.of());
    }

    private PointSupervisor supervisor(List<String> log, String... javaOptions) {
        List<String> options = new java.util.ArrayList<>(List.of(javaOptions));
        options.add("-Dprunesweep.executor=io.prunesweep.sweep.testing.ToyStageExecutor");
        return new PointSupervisor(
                new ChildJvm("128m", 1, Duration.ofMinutes(2), options),
                dir.resolve("work"),
                log::add);
    }

    @Test
    void runsStreamsProgressAndResumes() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        StageResult r = supervisor(log, "-XX:TieredStopAtLevel=1").run(dense("d-1"), () -> false);
        assertTrue(r.ok(), r.error());
        assertEquals(2, r.epochs().size());
        assertTrue(
                log.stream()
                        .anyMatch(l -> l.startsWith("dense d-1: dense epoch 2/2 step 20/20 loss=")),
                log.toString());
        StageResult onDisk =
                StageJson.read(
                        Files.readAllBytes(dir.resolve("d-1/result.json")), StageResult.class);
        assertEquals(r.finishedAt(), onDisk.finishedAt());
        assertTrue(onDisk.durations().get(StageResult.WALL) >= onDisk.durations().get("stage"));
        // second run: nothing started, same result
        List<String> log2 = new CopyOnWriteArrayList<>();
        StageResult again = supervisor(log2).run(dense("d-1"), () -> false);
        assertEquals(r.finishedAt(), again.finishedAt());
        assertEquals(List.of("dense d-1: already done, skipped"), log2);
    }

    @Test
    void aCrashedChildIsAFailedResultWithItsStderr() throws Exception {
        StageSettings s =
                new StageSettings(
                        "m.yaml", "n", null, "shapes:x", 64, 4, 1, 0, 0, "bn", 0.5, "global", 4, 1);
        Path ckpt =
                Files.writeString(
                        dir.resolve("in.txt"),
                        "0.1,".repeat(31) + "0.1\n" + "1,".repeat(31) + "1\n");
        StageRequest req =
                new StageRequest(
                        StageKind.PRUNE_FINETUNE,
                        "t",
                        "p-1",
                        s,
                        List.of(ckpt.toUri().toString()),
                        dir.resolve("p-1").toUri().toString(),
                        "cpu",
                        null,
                        1,
                        Map.of());
        StageResult r =
                supervisor(new CopyOnWriteArrayList<>(), "-Dprunesweep.test.crashRatio=0.5")
                        .run(req, () -> false);
        assertFalse(r.ok());
        assertTrue(
                r.error().startsWith("child JVM exited with code 134 (signal 6) without a result"),
                r.error());
        assertTrue(r.error().contains("simulated native crash at ratio 0.5"), r.error());
        StageResult onDisk =
                StageJson.read(
                        Files.readAllBytes(dir.resolve("p-1/result.json")), StageResult.class);
        assertEquals(StageResult.Status.FAILED, onDisk.status());
    }

    @Test
    void knownHarmlessLibtorchLinesAreNotRelayedRealWarningsAre() throws Exception {
        String noise =
                "[W1205 11:20:26.960413462 LegacyTypeDispatch.h:74] Warning: AutoNonVariableTypeMode is deprecated"
                        + " and will be removed in 1.10 release. (function operator())"
                        + "|[W NNPACK.cpp:64] Could not initialize NNPACK! Reason: Unsupported hardware."
                        + "|11:19:01 WARN  CudaUtils: Failed to detect GPU count: CUDA driver version is insufficient (35)"
                        + "|[W1205 11:20:27.000000000 Real.cpp:1] Warning: a real libtorch warning";
        List<String> log = new CopyOnWriteArrayList<>();
        StageResult r =
                supervisor(log, "-Dprunesweep.test.stderr=" + noise).run(dense("d-n"), () -> false);
        assertTrue(r.ok(), r.error());
        // (the test classpath's own SLF4J notice aside: two bindings are a test-only matter)
        List<String> relayed =
                log.stream().filter(l -> l.contains("[stderr]") && !l.contains("SLF4J")).toList();
        assertEquals(
                List.of(
                        "dense d-n [stderr]: [W1205 11:20:27.000000000 Real.cpp:1] Warning: a real libtorch warning"),
                relayed,
                log.toString());
    }
}
