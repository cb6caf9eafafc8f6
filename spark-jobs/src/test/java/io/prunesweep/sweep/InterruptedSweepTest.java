package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.testing.TestSweeps;
import io.prunesweep.testing.LocalS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sweep on S3 stopped while a stage runs: by Ctrl-C (SIGINT) it says one line and exits 130; by
 * SIGKILL it just dies. Either way no file it leaves (temp files, request files, the results on S3)
 * holds the S3 secret key.
 */
class InterruptedSweepTest {
    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"INT", "KILL"})
    void noFileLeftHoldsTheSecret(String signal) throws Exception {
        String secret = "planted-" + UUID.randomUUID();
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"), "sweeps", secret)) {
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            Path yaml = TestSweeps.yamlFile(dir, "secret", "s3a://sweeps/out");
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    yaml.toString(),
                                    "--set",
                                    "spark.child_java_options=[-XX:TieredStopAtLevel=1,-Dprunesweep.executor="
                                            + "io.prunesweep.sweep.testing.ToyStageExecutor,-Dprunesweep.test.sleepMs=120000]"));
            for (String o : s3.sweepOverrides()) {
                args.add("--set");
                args.add(o);
            }
            Path log = dir.resolve("driver.log");
            Process driver =
                    TestSweeps.startJvm(
                            SweepJob.class.getName(),
                            args,
                            Map.of(),
                            log,
                            "-Xmx768m",
                            "-Djava.io.tmpdir=" + tmp);
            Path requests = tmp.resolve("prunesweep-requests");
            Path request = waitForRequestFile(requests, driver, log);
            assertFalse(
                    Files.readString(request).contains(secret), "the request file holds no secret");
            List<ProcessHandle> family = new ArrayList<>(driver.descendants().toList());
            for (ProcessHandle child : family) {
                assertFalse(
                        child.info().commandLine().orElse("").contains(secret),
                        "nor does a command line");
            }

            if (signal.equals("INT")) {
                new ProcessBuilder("kill", "-INT", Long.toString(driver.pid())).start().waitFor();
            } else {
                driver.destroyForcibly();
            }
            if (!driver.waitFor(60, TimeUnit.SECONDS)) {
                // say where it hangs before failing: its threads and its log
                String threads = threadDump(driver.pid());
                driver.destroyForcibly();
                throw new AssertionError(
                        "the driver did not end within 60 s of SIG"
                                + signal
                                + "\n--- its threads ---\n"
                                + threads
                                + "\n--- its log ---\n"
                                + Files.readString(log));
            }
            for (ProcessHandle child : family) {
                child.onExit().get(30, TimeUnit.SECONDS); // stage JVMs follow their parent
            }
            String out = Files.readString(log);
            if (signal.equals("INT")) {
                assertEquals(SweepJob.INTERRUPTED_EXIT, driver.exitValue(), out);
                assertTrue(out.contains("interrupted; re-run the same command to resume\n"), out);
                assertFalse(out.contains("Job 0 cancelled"), out);
                assertFalse(out.contains("\tat "), "no stack trace:\n" + out);
                try (Stream<Path> left = Files.list(requests)) {
                    assertEquals(
                            List.of(), left.toList(), "request files are removed on the way out");
                }
            } else {
                assertEquals(137, driver.exitValue(), out);
            }
            assertFalse(out.contains(secret), "the driver's output holds no secret");
            List<Path> holding = new ArrayList<>();
            int scanned = 0;
            for (Path root : List.of(tmp, LocalS3.store(dir.resolve("s3")))) {
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        scanned++;
                        if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)
                                .contains(secret)) {
                            holding.add(f);
                        }
                    }
                }
            }
            assertTrue(scanned > 0);
            assertEquals(List.of(), holding, "files holding the secret after SIG" + signal);
        }
    }

    private static String threadDump(long pid) {
        try {
            Process p =
                    new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print")
                            .redirectErrorStream(true)
                            .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (Exception e) {
            return "(no thread dump: " + e + ")";
        }
    }

    private static Path waitForRequestFile(Path requests, Process driver, Path log)
            throws Exception {
        long end = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < end && driver.isAlive()) {
            if (Files.isDirectory(requests)) {
                try (Stream<Path> files = Files.list(requests)) {
                    var found = files.filter(f -> f.toString().endsWith(".json")).findFirst();
                    if (found.isPresent() && Files.size(found.get()) > 0) {
                        return found.get();
                    }
                }
            }
            Thread.sleep(100);
        }
        driver.destroyForcibly();
        throw new AssertionError("no stage started:\n" + Files.readString(log));
    }
}
