package io.prunesweep.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.hadoop.conf.Configuration;

/**
 * Runs one stage in this JVM: {@code java ... io.prunesweep.pipeline.StageMain <request.json>}.
 *
 * <p>Reads the request (any Hadoop filesystem URI or local path), runs the {@link StageExecutor}
 * found by {@link ServiceLoader} (or the class named by {@code -Dprunesweep.executor=}), streams
 * progress as {@code @@progress {json}} lines on stdout, writes {@code <outputDir>/result.json}
 * atomically, and exits 0 when the stage succeeded, 1 when it failed, 2 when not even a result
 * could be written.
 *
 * <p>With {@code -Dprunesweep.fsConfOnStdin=true} the first line of stdin is a JSON object of
 * Hadoop settings added to the request's: credentials travel through the pipe from the supervisor,
 * never through the request file.
 *
 * <p>With {@code -Dprunesweep.exitWithParent=true} the JVM halts when its stdin reaches
 * end-of-file: the supervising process holds the pipe open, so a killed supervisor (a lost Spark
 * executor) takes its child with it instead of leaving an orphan that races the retried task.
 */
public final class StageMain {
    private StageMain() {}

    public static final String EXECUTOR_PROPERTY = "prunesweep.executor";
    public static final String EXIT_WITH_PARENT_PROPERTY = "prunesweep.exitWithParent";
    public static final String FS_CONF_ON_STDIN_PROPERTY = "prunesweep.fsConfOnStdin";

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        Map<String, String> fsConf = Map.of();
        if (Boolean.getBoolean(FS_CONF_ON_STDIN_PROPERTY)) {
            try {
                fsConf = readSettingsLine(System.in);
            } catch (IOException | RuntimeException e) {
                System.err.println(
                        "error: cannot read the filesystem settings from stdin: " + e.getMessage());
                System.exit(2);
            }
        }
        if (Boolean.getBoolean(EXIT_WITH_PARENT_PROPERTY)) {
            watchParent(System.in);
        }
        int code = run(args, System.out, fsConf);
        System.out.flush();
        System.exit(code);
    }

    /**
     * One line of JSON ({@code {"fs.s3a.endpoint": "..."}}) read byte by byte, so nothing after it
     * is consumed.
     */
    @SuppressWarnings("unchecked")
    static Map<String, String> readSettingsLine(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            throw new IOException("stdin closed before the settings line");
        }
        return StageJson.read(line.toByteArray(), Map.class);
    }

    static int run(String[] args, PrintStream out) {
        return run(args, out, Map.of());
    }

    static int run(String[] args, PrintStream out, Map<String, String> fsConf) {
        if (args.length != 1) {
            System.err.println("usage: StageMain <request.json>");
            return 2;
        }
        StageRequest request;
        try {
            request =
                    StageJson.read(
                                    StageFiles.read(args[0], new Configuration()),
                                    StageRequest.class)
                            .withFsConf(fsConf);
        } catch (Exception e) {
            System.err.println("error: cannot read stage request " + args[0] + ": " + e);
            return 2;
        }
        StageResult result = execute(request, out);
        try {
            Configuration conf = StageFiles.conf(request.fsConf());
            StageFiles.writeAtomically(request.resultUri(), StageJson.writePretty(result), conf);
        } catch (Exception e) {
            System.err.println("error: cannot write " + request.resultUri() + ": " + e);
            return 2;
        }
        return result.ok() ? 0 : 1;
    }

    /** Runs the executor; any exception becomes a failed result. Never throws. */
    static StageResult execute(StageRequest request, PrintStream out) {
        Instant start = Instant.now();
        long t0 = System.nanoTime();
        StageResult result;
        try {
            StageExecutor executor = findExecutor();
            ProgressListener listener =
                    p -> {
                        String line = StageJson.progressLine(p);
                        synchronized (out) {
                            out.println(line);
                            out.flush();
                        }
                    };
            result = executor.run(request, listener);
            if (result == null) {
                result =
                        StageResult.failed(
                                request.kind(),
                                request.pointId(),
                                executor.getClass().getName() + " returned no result");
            }
        } catch (Throwable t) {
            result = StageResult.failed(request.kind(), request.pointId(), describe(t));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!result.durations().containsKey("stage")) {
            result = result.withDuration("stage", seconds);
        }
        return result.withRun(
                request.device(),
                request.gpuAddress(),
                hostName(),
                start.toString(),
                Instant.now().toString());
    }

    static StageExecutor findExecutor() {
        String wanted = System.getProperty(EXECUTOR_PROPERTY);
        List<String> found = new ArrayList<>();
        for (ServiceLoader.Provider<StageExecutor> p :
                ServiceLoader.load(StageExecutor.class).stream().toList()) {
            if (wanted == null || p.type().getName().equals(wanted)) {
                return p.get();
            }
            found.add(p.type().getName());
        }
        throw new IllegalStateException(
                wanted == null
                        ? "no StageExecutor on the classpath: register one in META-INF/services/"
                                + StageExecutor.class.getName()
                        : "StageExecutor "
                                + wanted
                                + " (-D"
                                + EXECUTOR_PROPERTY
                                + ") not found; available: "
                                + found);
    }

    /**
     * Exception class, message and the top frames: enough to recognise a bug from the Parquet
     * table.
     */
    static String describe(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        String[] lines = sw.toString().split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(lines.length, 12); i++) {
            sb.append(lines[i].stripTrailing()).append('\n');
        }
        return sb.toString().strip();
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void watchParent(InputStream in) {
        Thread t =
                new Thread(
                        () -> {
                            try {
                                byte[] buf = new byte[256];
                                while (in.read(buf) >= 0) {
                                    // the supervisor never writes; anything read is ignored
                                }
                            } catch (IOException ignored) {
                                // a broken pipe means the parent is gone as well
                            }
                            Runtime.getRuntime().halt(3);
                        },
                        "parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
