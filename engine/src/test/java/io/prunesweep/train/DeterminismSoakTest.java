package io.prunesweep.train;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.TrainedFixture;
import io.prunesweep.cli.Main;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.Method;
import io.prunesweep.prune.Overrides;
import io.prunesweep.prune.PruneConfig;
import io.prunesweep.prune.PruneResult;
import io.prunesweep.prune.Pruner;
import io.prunesweep.prune.Scope;
import io.prunesweep.testing.TestJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak: the same short training, each run in a FRESH JVM (a child {@code java} running the CLI,
 * with this JVM's classpath and flags), must never hit NaN and must give bit-identical results
 * every time: per-epoch losses, mAP and the rest of results.csv (all but the timing columns),
 * val.json, and the last and best checkpoints byte for byte. With one libtorch thread and no loader
 * threads a run is a pure function of its inputs (see {@link LearningTest}), so any difference is
 * the backend computing differently from one process to the next. That is how the oneDNN AVX-512
 * fault showed on the hosts that had it: the same finetune of the pruned quickstart model sometimes
 * finished and sometimes stopped with "loss became NaN/inf", and its numbers moved between runs. A
 * single in-process run cannot see that: the kernels picked, and what they get wrong, are fixed per
 * process.
 *
 * <p>Two trainings, {@value #RUNS} fresh JVMs each, two JVMs at a time (one libtorch thread each,
 * on 2 cores): a 2-epoch finetune of the pruned fixture (the trained quickstart model pruned bn 0.2
 * / round_to 8, whose widths the faulty kernels got wrong) and a 2-epoch YOLOv8n from scratch, both
 * on 64 + 16 synthetic 128 px images with the quickstart's settings (AdamW lr0 0.002, no warmup,
 * nbs 16, mosaic to the end).
 *
 * <p>When it was written, on an AMD EPYC (avx512_bf16, KVM) whose forward convolutions checked
 * clean, 2 of about 60 fresh-JVM runs of this finetune went wrong: one stopped with "loss became
 * NaN/inf at epoch 1 batch 2" (batch 1's loss identical to every other run), one finished with
 * other numbers (epoch-1 box loss 2.27364 instead of 2.57861); about 25 dense runs never did. A red
 * run here is evidence about the backend, not noise: keep its outputs.
 *
 * <p>Since then a non-finite loss is replayed by the trainer from the last good state (a transient
 * one then ends bit-identical), and a run that differs from the majority is repeated once in a
 * fresh JVM: a difference that does not repeat is the host computing wrong numbers once, printed as
 * a BACKEND FAULT warning; one that repeats, or no majority, fails the test, since that is the
 * engine itself not being deterministic.
 */
class DeterminismSoakTest {
    static final int RUNS = 5;
    static final long CHILD_TIMEOUT_MINUTES = 10;
    static final List<String> COMMON =
            List.of(
                    "--epochs",
                    "2",
                    "--imgsz",
                    "128",
                    "--batch",
                    "16",
                    "--optimizer",
                    "AdamW",
                    "--lr0",
                    "0.002",
                    "--warmup-epochs",
                    "0",
                    "--nbs",
                    "16",
                    "--close-mosaic",
                    "0",
                    "--threads",
                    "1",
                    "--workers",
                    "0");

    /** Kept when the test fails: the runs' outputs and console logs are the evidence. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    static Path data;
    static Path pruned;

    @BeforeAll
    static void setUp() throws Exception {
        TrainFixtures.synth(dir.resolve("shapes"), 64, 16, TrainedFixture.IMGSZ, 0);
        data = dir.resolve("shapes/data.yaml");
        // the pruned quickstart fixture, derived as the sweep's prune stage derives it
        pruned = dir.resolve("pruned-bn-r0.2.safetensors");
        PruneConfig cfg =
                new PruneConfig(
                        Method.BN,
                        Scope.GLOBAL,
                        0.2,
                        null,
                        null,
                        8,
                        8,
                        Overrides.NONE,
                        1,
                        0,
                        true,
                        TrainedFixture.IMGSZ);
        try (YoloModel dense = TrainedFixture.loadDense()) {
            PruneResult r = Pruner.prune(dense, cfg);
            try (YoloModel p = r.model()) {
                assertFalse(
                        TrainedFixture.faultProneConvs(p.graph()).isEmpty(),
                        "the pruned widths the fault hit");
                Checkpoint.save(p, pruned.toString(), Map.of());
            }
        }
    }

    @Test
    void finetuneOfThePrunedFixtureAndDenseTrainingAreBitIdenticalInFreshJvms() throws Exception {
        List<String> finetune =
                new ArrayList<>(
                        List.of(
                                "finetune",
                                "--weights",
                                pruned.toString(),
                                "--data",
                                data.toString()));
        finetune.addAll(COMMON);
        List<String> dense =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--model",
                                "yolov8",
                                "--scale",
                                "n",
                                "--data",
                                data.toString()));
        dense.addAll(COMMON);

        long t0 = System.nanoTime();
        List<Future<Run>> ft = new ArrayList<>();
        List<Future<Run>> ds = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < RUNS; i++) {
                ft.add(pool.submit(child("finetune", i, finetune)));
                ds.add(pool.submit(child("dense", i, dense)));
            }
            // both trainings are compared (and reported) before either fails the test
            String finetuneOutcome =
                    sameEveryRun(
                            "finetune of the pruned fixture",
                            ft,
                            i -> call(child("finetune", i + RUNS, finetune)));
            String denseOutcome =
                    sameEveryRun(
                            "dense training from scratch",
                            ds,
                            i -> call(child("dense", i + RUNS, dense)));
            assertAll(
                    () -> assertNull(finetuneOutcome, finetuneOutcome),
                    () -> assertNull(denseOutcome, denseOutcome));
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(
                java.util.Locale.ROOT,
                "DeterminismSoakTest: %d + %d fresh JVMs in %.0f s (classpath from %s, flags %s)%n",
                RUNS,
                RUNS,
                (System.nanoTime() - t0) / 1e9,
                System.getProperty("surefire.test.class.path") != null
                        ? "surefire.test.class.path"
                        : "java.class.path",
                TestJvm.flags().stream().filter(f -> !f.startsWith("--add-opens")).toList());
    }

    private static Run call(java.util.concurrent.Callable<Run> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** What one child run produced, with the timing columns of results.csv dropped. */
    record Run(
            String name,
            int exit,
            String log,
            String results,
            String valJson,
            String lastSha,
            String bestSha) {}

    /**
     * Null when every run succeeded with the same outcome, else what went wrong. A run that failed
     * or differs from the majority is run once more in a fresh JVM: when that repeat gives the
     * majority's outcome, the difference was transient (the faulty-backend signature: the same
     * process inputs computed differently once) and is reported loudly, not failed; a difference
     * that repeats, or no majority at all, fails the test.
     */
    static String sameEveryRun(
            String what, List<Future<Run>> futures, java.util.function.IntFunction<Run> repeat)
            throws Exception {
        List<Run> runs = new ArrayList<>();
        for (Future<Run> f : futures) {
            runs.add(f.get());
        }
        Map<Run, List<Run>> outcomes = byOutcome(runs);
        report(what, "", outcomes, runs.size());
        Run majority =
                outcomes.entrySet().stream()
                        .filter(e -> e.getKey().exit() == 0)
                        .filter(e -> e.getValue().size() * 2 > runs.size())
                        .map(Map.Entry::getKey)
                        .findFirst()
                        .orElse(null);
        if (majority == null) {
            return what
                    + ": no outcome shared by most of "
                    + runs.size()
                    + " fresh JVMs (outputs kept in "
                    + dir
                    + "):\n"
                    + describe(outcomes);
        }
        assertFinite(what, majority.results());
        List<String> transients = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            if (outcomeOf(runs.get(i)).equals(majority)) {
                continue;
            }
            Run again = repeat.apply(i);
            if (!outcomeOf(again).equals(majority)) {
                Map<Run, List<Run>> all = byOutcome(List.of(runs.get(i), again));
                return what
                        + ": "
                        + runs.get(i).name()
                        + " differed from the other runs, and its repeat "
                        + again.name()
                        + " too (outputs kept in "
                        + dir
                        + "):\n"
                        + describe(all)
                        + tail(again.log());
            }
            transients.add(
                    runs.get(i).name()
                            + (runs.get(i).exit() != 0
                                    ? " failed: " + lastLine(runs.get(i).log())
                                    : " finished with other numbers")
                            + "; its repeat "
                            + again.name()
                            + " matched the others");
        }
        if (!transients.isEmpty()) {
            System.out.println(
                    "DeterminismSoakTest WARNING, BACKEND FAULT: "
                            + what
                            + ": "
                            + String.join("; ", transients)
                            + ". This host computed the same inputs differently once (see engine/.../backend/README.md).");
        }
        return null;
    }

    /** The outcome of a run: exit code and every compared output, without its name and log. */
    private static Run outcomeOf(Run r) {
        return r.exit() != 0
                ? new Run("", r.exit(), "", "", "", "", "")
                : new Run("", 0, "", r.results(), r.valJson(), r.lastSha(), r.bestSha());
    }

    private static Map<Run, List<Run>> byOutcome(List<Run> runs) {
        Map<Run, List<Run>> outcomes = new LinkedHashMap<>();
        for (Run r : runs) {
            outcomes.computeIfAbsent(outcomeOf(r), k -> new ArrayList<>()).add(r);
        }
        return outcomes;
    }

    private static void report(String what, String note, Map<Run, List<Run>> outcomes, int n) {
        System.out.println(
                "DeterminismSoakTest "
                        + what
                        + note
                        + ", "
                        + outcomes.size()
                        + " outcome(s) in "
                        + n
                        + " fresh JVMs:\n"
                        + describe(outcomes));
    }

    private static String describe(Map<Run, List<Run>> outcomes) {
        StringBuilder sb = new StringBuilder();
        outcomes.forEach(
                (o, rs) ->
                        sb.append(rs.stream().map(Run::name).toList())
                                .append(":\n")
                                .append(
                                        o.exit() != 0
                                                ? "exit "
                                                        + o.exit()
                                                        + ": "
                                                        + lastLine(rs.get(0).log())
                                                        + "\n"
                                                : o.results()
                                                        + "val.json "
                                                        + o.valJson()
                                                        + "\nlast "
                                                        + o.lastSha()
                                                        + ", best "
                                                        + o.bestSha()
                                                        + "\n"));
        return sb.toString();
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\n");
        return lines[lines.length - 1];
    }

    /**
     * Every number of results.csv (losses, lr, metrics, γ summary) is finite and the losses are
     * positive.
     */
    static void assertFinite(String where, String results) {
        String[] lines = results.split("\n");
        assertEquals(3, lines.length, where + ": header + 2 epochs:\n" + results);
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            String[] cells = line.split(",");
            for (String c : cells) {
                assertTrue(Double.isFinite(Double.parseDouble(c)), where + ": " + line);
            }
            for (int i = 1; i <= 3; i++) {
                assertTrue(Double.parseDouble(cells[i]) > 0, where + ": losses " + line);
            }
        }
    }

    /** A child JVM running the CLI with {@code args} into {@code dir/<kind>-<i>}. */
    static java.util.concurrent.Callable<Run> child(String kind, int i, List<String> args) {
        return () -> {
            Path out = dir.resolve(kind + "-" + i);
            Files.createDirectories(out);
            List<String> cmdArgs = new ArrayList<>(args);
            cmdArgs.addAll(List.of("--out", out.toString()));
            List<String> cmd = TestJvm.command(List.of(), Main.class.getName(), cmdArgs);
            Path log = out.resolve("console.log");
            ProcessBuilder pb =
                    new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            // libtorch's OpenMP threads sleep instead of spinning when idle, as in Surefire's
            // configuration
            pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
            Process p = pb.start();
            try {
                if (!p.waitFor(CHILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError(
                            kind
                                    + "-"
                                    + i
                                    + " did not finish in "
                                    + CHILD_TIMEOUT_MINUTES
                                    + " minutes:\n"
                                    + tail(Files.readString(log)));
                }
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            String name = kind + "-" + i + " (pid " + p.pid() + ")";
            String console = Files.readString(log);
            if (p.exitValue() != 0) {
                return new Run(name, p.exitValue(), console, "", "", "", "");
            }
            return new Run(
                    name,
                    0,
                    console,
                    withoutTiming(Files.readString(out.resolve("results.csv"))),
                    Files.readString(out.resolve("val.json")),
                    sha256(out.resolve("last.safetensors")),
                    sha256(out.resolve("best.safetensors")));
        };
    }

    /**
     * results.csv without its last two columns (seconds, images_per_s): wall-clock figures, never
     * reproducible.
     */
    static String withoutTiming(String csv) {
        assertTrue(
                csv.startsWith("epoch,")
                        && csv.substring(0, csv.indexOf('\n')).endsWith(",seconds,images_per_s"),
                csv);
        StringBuilder sb = new StringBuilder();
        for (String line : csv.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split(",");
            sb.append(String.join(",", Arrays.copyOf(cells, cells.length - 2))).append('\n');
        }
        return sb.toString();
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    static String tail(String s) {
        String[] lines = s.split("\n");
        return String.join(
                "\n", Arrays.asList(lines).subList(Math.max(0, lines.length - 30), lines.length));
    }
}
