package io.prunesweep.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a repository shell script with bash, as a user would, and keeps what it printed. */
public final class Script {
    /** Exit status and output of one run. */
    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> stderrLines() {
            return stderr.isBlank() ? List.of() : List.of(stderr.strip().split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    private final Path script;
    private final Map<String, String> env = new HashMap<>();
    private final List<String> unset = new ArrayList<>();
    private Path workDir = Repo.root();

    private Script(Path script) {
        this.script = script;
        // The submit scripts start Spark: keep it on the loopback interface, with this JVM's java.
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        unset.add("SPARK_HOME");
    }

    /** A script by its path from the repository root, e.g. {@code deploy/submit-local.sh}. */
    public static Script of(String relative) {
        return new Script(Repo.file(relative));
    }

    public Script env(String name, String value) {
        env.put(name, value);
        unset.remove(name);
        return this;
    }

    public Script workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    /**
     * Runs with a time limit; the output files live next to the arguments' files in {@code logDir}.
     */
    public Result run(Path logDir, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(Arrays.asList(args));
        Files.createDirectories(logDir);
        Path out = Files.createTempFile(logDir, script.getFileName() + "-", ".out");
        Path err = Files.createTempFile(logDir, script.getFileName() + "-", ".err");
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .directory(workDir.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
        unset.forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(
                    script.getFileName()
                            + " did not finish within "
                            + timeoutSeconds
                            + " s:\n"
                            + Files.readString(out)
                            + "\n"
                            + Files.readString(err));
        }
        return new Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /**
     * The words of a command a script printed with {@code --print-command} (shell-quoted), split by
     * bash itself so quoting is read exactly as a shell would.
     */
    public static List<String> words(String printedCommand, Path logDir)
            throws IOException, InterruptedException {
        Path file =
                Files.writeString(Files.createTempFile(logDir, "command-", ".sh"), printedCommand);
        ProcessBuilder pb =
                new ProcessBuilder(
                        "bash",
                        "-c",
                        "eval \"words=($(cat \"$1\"))\"; printf '%s\\0' \"${words[@]}\"",
                        "split",
                        file.toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("bash could not split the printed command: " + out);
        }
        return out.isEmpty()
                ? List.of()
                : List.of(out.substring(0, out.length() - 1).split("\0", -1));
    }
}
