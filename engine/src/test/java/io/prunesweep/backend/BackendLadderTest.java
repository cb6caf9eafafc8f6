package io.prunesweep.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.prunesweep.testing.TestJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ladder end to end, in fresh JVMs as a user runs them: {@code prunesweep doctor} and an engine
 * command on a machine whose convolutions are made wrong by the {@code PRUNESWEEP_BACKEND_FAULT}
 * hook, each with its own verdict cache.
 */
class BackendLadderTest {
    @TempDir Path tmp;

    record Run(int code, String out) {}

    /**
     * {@code java ... io.prunesweep.cli.Main args} as this test JVM runs, with its own verdict
     * cache.
     */
    private Run cli(Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd =
                TestJvm.command(
                        List.of("-Dprunesweep.backend.repeats=1"),
                        "io.prunesweep.cli.Main",
                        List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put(VerdictCache.DIR_VARIABLE, tmp.resolve("cache").toString());
        pb.environment().remove(BackendSettings.ISA_VARIABLE);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + out);
        return new Run(p.exitValue(), out);
    }

    /** An l1 prune of YOLOv8n to widths (multiples of 4) that the tail16 fault hits. */
    private Run pruneYolov8n(Map<String, String> env) throws IOException, InterruptedException {
        return cli(
                env,
                "prune",
                "--model",
                "yolov8",
                "--scale",
                "n",
                "--nc",
                "3",
                "--method",
                "l1",
                "--ratio",
                "0.3",
                "--round-to",
                "4",
                "--out",
                tmp.resolve("p").toString());
    }

    /**
     * The simulated faults sit on top of this host's real kernels: where the default settings are
     * already wrong (a Zen 5 host: oneDNN wrong at every ISA), the ladder rightly goes further down
     * than the fault alone would send it.
     */
    private static void assumeDefaultKernelsAreRightHere() {
        BackendGuard.ensure();
        BackendSettings chosen = Convolutions.active();
        assumeTrue(
                chosen.equals(BackendSettings.LADDER.get(0)),
                "this host's own verdict is " + chosen.label() + ", not the default settings");
    }

    private JsonNode verdictFile() throws IOException {
        try (var files = Files.list(tmp.resolve("cache"))) {
            Path f = files.filter(x -> x.toString().endsWith(".json")).findFirst().orElseThrow();
            return VerdictCache.JSON.readTree(f.toFile());
        }
    }

    @Test
    void wrongTailKernelsArePaddedAroundAndThePrunedModelStillExports() throws Exception {
        assumeDefaultKernelsAreRightHere();
        Map<String, String> fault = Map.of("PRUNESWEEP_BACKEND_FAULT", "tail16");
        Run doctor = cli(fault, "doctor");
        assertEquals(0, doctor.code, doctor.out);
        assertTrue(doctor.out.matches("(?s).*FAIL\\s+oneDNN default ISA\\s.*cin20.*"), doctor.out);
        assertTrue(
                doctor.out.contains("verdict:   oneDNN default ISA, channels padded to 16"),
                doctor.out);
        JsonNode v = verdictFile();
        assertEquals(16, v.at("/chosen/padTo").asInt());
        String checkedAt = v.get("checkedAt").asText();

        // an engine command under the same fault: pruned to widths that hit the fault, its export
        // check passes
        Run prune = pruneYolov8n(fault);
        assertEquals(0, prune.code, prune.out);
        assertTrue(
                prune.out.contains("WRONG NUMBERS with the default settings")
                        && prune.out.contains("chose oneDNN default ISA, channels padded to 16"),
                prune.out);
        Run export =
                cli(
                        fault,
                        "export",
                        "--weights",
                        tmp.resolve("p/pruned.safetensors").toString(),
                        "--format",
                        "onnx",
                        "--imgsz",
                        "64",
                        "--out",
                        tmp.resolve("x").toString());
        assertEquals(0, export.code, export.out);
        assertTrue(export.out.contains(": passed"), export.out);
        assertEquals(
                checkedAt,
                verdictFile().get("checkedAt").asText(),
                "the verdict was reused, not probed again");
    }

    @Test
    void aWrongIsaIsCappedBeforeLibtorchLoads() throws Exception {
        assumeDefaultKernelsAreRightHere();
        Run doctor =
                cli(
                        Map.of(
                                "PRUNESWEEP_BACKEND_FAULT",
                                "isa-default",
                                "ONEDNN_VERBOSE",
                                "check"),
                        "doctor");
        assertEquals(0, doctor.code, doctor.out);
        assertTrue(doctor.out.contains("verdict:   oneDNN AVX2"), doctor.out);
        assertTrue(
                doctor.out.contains("oneDNN:    Intel AVX2"),
                "the probe's oneDNN dispatched AVX2: " + doctor.out);
        // this JVM's own oneDNN (its verbose header, printed when it first ran a primitive) took
        // the cap set in-process
        assertTrue(
                doctor.out.lines().anyMatch(l -> l.contains(",info,cpu,isa:Intel AVX2")),
                doctor.out);
        assertTrue(
                doctor.out.lines().noneMatch(l -> l.contains(",info,cpu,isa:Intel AVX-512")),
                doctor.out);
        assertEquals("AVX2", verdictFile().at("/chosen/isa").asText());
    }

    @Test
    void nothingCorrectMeansNoWorkAndOneClearLine() throws Exception {
        Map<String, String> fault = Map.of("PRUNESWEEP_BACKEND_FAULT", "all");
        Run doctor = cli(fault, "doctor");
        assertEquals(4, doctor.code, doctor.out);
        assertTrue(
                doctor.out.contains("nothing on the ladder computes correctly here"), doctor.out);
        assertEquals(
                BackendSettings.LADDER.size(),
                verdictFile().get("tried").size(),
                "every rung was tried");
        Run prune = pruneYolov8n(fault);
        assertEquals(4, prune.code, prune.out);
        assertTrue(
                prune.out.contains(
                        "error: no backend setting computes convolutions correctly on this CPU"),
                prune.out);
        assertTrue(Files.notExists(tmp.resolve("p/pruned.safetensors")), "no work was done");
    }
}
