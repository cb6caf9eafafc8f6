package io.prunesweep.sweep.run;

import io.prunesweep.backend.BackendGuard;
import io.prunesweep.backend.ThreadPolicy;
import io.prunesweep.pipeline.Progress;
import io.prunesweep.pipeline.StageFiles;
import io.prunesweep.pipeline.StageJson;
import io.prunesweep.pipeline.StageMain;
import io.prunesweep.pipeline.StageRequest;
import io.prunesweep.pipeline.StageResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;

/**
 * Runs one stage in a child JVM and returns its {@link StageResult}. Used by Spark tasks, so that a
 * native crash, a leak or DJL's one-training-per-JVM rule only ever affects one point.
 *
 * <ul>
 *   <li>Resume: a stage whose result.json already says ok is not run again.
 *   <li>The GPU the task got is pinned with CUDA_VISIBLE_DEVICES; the child then sees it as gpu:0.
 *   <li>Progress lines are passed to {@code log}; the last stderr lines are kept for the error
 *       message.
 *   <li>A crash, a non-zero exit without result, or a timeout becomes a failed result (written to
 *       result.json), never an exception.
 *   <li>Cancellation (the Spark task is killed or interrupted) kills the child and throws {@link
 *       CancellationException}: no result is written, the point stays to do.
 * </ul>
 */
public final class PointSupervisor {
    private static final int STDERR_TAIL_LINES = 30;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    /**
     * Request files of running stages: removed on every exit path, a normal end, an exception or a
     * signal.
     */
    private static final Set<Path> REQUEST_FILES = ConcurrentHashMap.newKeySet();

    static {
        // An executor that shuts down normally (or on SIGINT/SIGTERM) takes its children along and
        // removes their
        // request files; a killed one is handled by the child's stdin watch (StageMain
        // -Dprunesweep.exitWithParent).
        // Request files never hold credentials (those go over the child's stdin), so a SIGKILL
        // leaves nothing secret.
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    LIVE.forEach(PointSupervisor::kill);
                                    REQUEST_FILES.forEach(PointSupervisor::deleteQuietly);
                                },
                                "point-supervisor-cleanup"));
    }

    private final ChildJvm jvm;
    private final Path workDir;
    private final Consumer<String> log;

    /**
     * @param jvm how to start the child
     * @param workDir a local directory for the request file handed to the child
     * @param log receives progress and output lines (the Spark task log)
     */
    public PointSupervisor(ChildJvm jvm, Path workDir, Consumer<String> log) {
        this.jvm = jvm;
        this.workDir = workDir;
        this.log = log;
    }

    public StageResult run(StageRequest request, BooleanSupplier cancelled) {
        Configuration conf = StageFiles.conf(request.fsConf());
        String tag =
                request.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + request.pointId();
        Path requestFile = null;
        long t0 = System.nanoTime();
        String started = Instant.now().toString();
        try {
            StageResult previous = StageFiles.readResult(request.outputDir(), conf);
            if (previous != null && previous.ok()) {
                log.accept(tag + ": already done, skipped");
                return previous;
            }
            if (previous != null) {
                // A failed earlier attempt: remove it so a crash now cannot leave the old result
                // behind.
                org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(request.resultUri());
                p.getFileSystem(conf).delete(p, false);
            }
            StageRequest childRequest =
                    request.withDevice(
                            request.gpuAddress() != null ? "gpu:0" : "cpu",
                            request.gpuAddress(),
                            request.threads());
            StageFiles.writeAtomically(
                    StageFiles.child(request.outputDir(), StageFiles.REQUEST_JSON),
                    StageJson.writePretty(childRequest.withoutFsConf()),
                    conf);
            Files.createDirectories(workDir);
            requestFile = Files.createTempFile(workDir, request.pointId() + "-", ".json");
            REQUEST_FILES.add(requestFile);
            // no filesystem settings in the file: they may hold credentials and reach the child
            // over its stdin
            Files.writeString(requestFile, StageJson.write(childRequest.withoutFsConf()));

            ProcessBuilder pb = new ProcessBuilder(command(requestFile));
            Map<String, String> env = pb.environment();
            String threads = Integer.toString(request.threads());
            env.put("OMP_NUM_THREADS", threads);
            env.put("MKL_NUM_THREADS", threads);
            // sibling points on the same cores: their OpenMP threads must sleep, not spin
            // (ThreadPolicy)
            env.put(
                    ThreadPolicy.SHARED_VARIABLE,
                    Boolean.toString(ThreadPolicy.sharesCores(request.threads())));
            // the host's backend verdict, when cached: the child starts with it (and checks it
            // again by itself)
            env.putAll(BackendGuard.childEnvironment());
            if (request.gpuAddress() != null) {
                // Spark's GPU addresses are nvidia-smi (PCI bus) indices; CUDA numbers
                // fastest-first unless told.
                env.put("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
                env.put("CUDA_VISIBLE_DEVICES", request.gpuAddress());
            }
            log.accept(
                    tag
                            + ": starting child JVM on "
                            + childRequest.device()
                            + (request.gpuAddress() != null
                                    ? " (GPU " + request.gpuAddress() + ")"
                                    : ""));
            Process child = pb.start();
            handOver(child, request.fsConf());
            StageResult result = supervise(child, request, tag, conf, cancelled);
            result =
                    result.withDuration(StageResult.WALL, (System.nanoTime() - t0) / 1e9)
                            .withRun(
                                    childRequest.device(),
                                    request.gpuAddress(),
                                    hostName(),
                                    started,
                                    Instant.now().toString());
            StageFiles.writeAtomically(request.resultUri(), StageJson.writePretty(result), conf);
            log.accept(tag + ": " + (result.ok() ? "ok" : "FAILED: " + firstLine(result.error())));
            return result;
        } catch (CancellationException e) {
            throw e;
        } catch (Exception e) {
            // Supervisor trouble (cannot write the request, cannot start java): a failed point, not
            // a lost task.
            StageResult failed =
                    StageResult.failed(
                                    request.kind(),
                                    request.pointId(),
                                    "supervisor could not run the stage: " + e)
                            .withDuration(StageResult.WALL, (System.nanoTime() - t0) / 1e9)
                            .withRun(
                                    request.device(),
                                    request.gpuAddress(),
                                    hostName(),
                                    started,
                                    Instant.now().toString());
            try {
                StageFiles.writeAtomically(
                        request.resultUri(), StageJson.writePretty(failed), conf);
            } catch (IOException ignored) {
                // the driver records the failure from the returned result
            }
            return failed;
        } finally {
            if (requestFile != null) {
                deleteQuietly(requestFile);
                REQUEST_FILES.remove(requestFile);
            }
        }
    }

    /**
     * The first line of the child's stdin: its filesystem settings as JSON. The pipe stays open
     * afterwards (the child exits when it closes: see {@link StageMain#EXIT_WITH_PARENT_PROPERTY}).
     */
    private static void handOver(Process child, Map<String, String> fsConf) throws IOException {
        try {
            var in = child.getOutputStream();
            in.write((StageJson.write(fsConf) + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            kill(child);
            throw e;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temp file in the task's work dir
        }
    }

    List<String> command(Path requestFile) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaBinary());
        cmd.add("-Xmx" + jvm.heap());
        cmd.addAll(ChildJvm.OPENS);
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.num_threads=" + jvm.threads());
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        String djlCache = System.getProperty("DJL_CACHE_DIR");
        if (djlCache != null) {
            cmd.add("-DDJL_CACHE_DIR=" + djlCache);
        }
        cmd.add("-D" + StageMain.EXIT_WITH_PARENT_PROPERTY + "=true");
        cmd.add("-D" + StageMain.FS_CONF_ON_STDIN_PROPERTY + "=true");
        cmd.addAll(jvm.javaOptions());
        cmd.add("-cp");
        cmd.add(ChildJvm.classpath());
        cmd.add(StageMain.class.getName());
        cmd.add(requestFile.toString());
        return cmd;
    }

    private StageResult supervise(
            Process child,
            StageRequest request,
            String tag,
            Configuration conf,
            BooleanSupplier cancelled)
            throws IOException, InterruptedException {
        LIVE.add(child);
        Deque<String> stderrTail = new ArrayDeque<>();
        Thread out =
                pump(
                        child.getInputStream(),
                        line -> {
                            Progress p = StageJson.parseProgressLine(line);
                            log.accept(tag + ": " + (p != null ? describe(p) : line));
                        },
                        tag + "-stdout");
        boolean gpu = request.gpuAddress() != null;
        Thread err =
                pump(
                        child.getErrorStream(),
                        line -> {
                            if (KnownNoise.harmless(line, gpu)) {
                                return;
                            }
                            synchronized (stderrTail) {
                                stderrTail.addLast(line);
                                if (stderrTail.size() > STDERR_TAIL_LINES) {
                                    stderrTail.removeFirst();
                                }
                            }
                            log.accept(tag + " [stderr]: " + line);
                        },
                        tag + "-stderr");
        long deadline = System.nanoTime() + jvm.timeout().toNanos();
        try {
            while (!child.waitFor(200, TimeUnit.MILLISECONDS)) {
                if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                    kill(child);
                    throw new CancellationException(tag + ": cancelled, child JVM killed");
                }
                if (System.nanoTime() > deadline) {
                    kill(child);
                    return StageResult.failed(
                            request.kind(),
                            request.pointId(),
                            "timed out after "
                                    + jvm.timeout().toMinutes()
                                    + " min (spark.timeout_minutes); "
                                    + "child JVM killed");
                }
            }
        } catch (InterruptedException e) {
            kill(child);
            throw new CancellationException(tag + ": interrupted, child JVM killed");
        } finally {
            LIVE.remove(child);
        }
        out.join(5000);
        err.join(5000);
        int code = child.exitValue();
        StageResult written = StageFiles.readResult(request.outputDir(), conf);
        if (written != null && (code == 0 || code == 1)) {
            return written;
        }
        String tail;
        synchronized (stderrTail) {
            tail = String.join("\n", stderrTail);
        }
        return StageResult.failed(
                request.kind(),
                request.pointId(),
                "child JVM exited with code "
                        + code
                        + (code > 128 ? " (signal " + (code - 128) + ")" : "")
                        + " without a result; last stderr lines:\n"
                        + tail);
    }

    private static Thread pump(InputStream in, Consumer<String> sink, String name) {
        Thread t =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(in, StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = r.readLine()) != null) {
                                    sink.accept(line);
                                }
                            } catch (IOException ignored) {
                                // the child is gone
                            }
                        },
                        name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String describe(Progress p) {
        StringBuilder sb = new StringBuilder(p.phase() == null ? "progress" : p.phase());
        if (p.epochs() > 0) {
            sb.append(" epoch ").append(p.epoch() + 1).append('/').append(p.epochs());
        }
        if (p.steps() > 0) {
            sb.append(" step ").append(p.step()).append('/').append(p.steps());
        }
        if (!p.values().isEmpty()) {
            sb.append(' ')
                    .append(
                            p.values().entrySet().stream()
                                    .map(
                                            e ->
                                                    e.getKey()
                                                            + "="
                                                            + String.format("%.4g", e.getValue()))
                                    .collect(Collectors.joining(" ")));
        }
        if (p.message() != null) {
            sb.append(" - ").append(p.message());
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.split("\n")[0];
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
