package io.prunesweep.sweep.testing;

import io.prunesweep.pipeline.StageJson;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.sweep.SweepJob;
import io.prunesweep.sweep.SweepRunner;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.config.SweepConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/** Shared pieces of the sweep tests: a small sweep YAML, child JVMs, DuckDB queries. */
public final class TestSweeps {
    private TestSweeps() {}

    /**
     * Runs the sweep in this JVM's Spark session (stopped afterwards) and returns what it printed.
     */
    public static String run(SweepConfig config) {
        SparkSession spark = SweepJob.session(config);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try {
            new SweepRunner(config, new PrintStream(console, true)).run(spark);
        } finally {
            spark.stop();
        }
        return console.toString();
    }

    /**
     * 1 seed x lambdas {0, 0.01} x methods {bn, random} x ratios {0.25, 0.5} = 8 points, 1 dense +
     * 1 sparse.
     */
    public static SweepConfig config(Path dir, String id, String output, String... overrides)
            throws IOException {
        return new SweepConfigLoader()
                .parse(id + ".yaml", yaml(dir, id, output), List.of(overrides));
    }

    /** The same sweep as a file {@code dir/<id>.yaml}, for runs of the sweep command line. */
    public static Path yamlFile(Path dir, String id, String output) throws IOException {
        return Files.writeString(dir.resolve(id + ".yaml"), yaml(dir, id, output));
    }

    private static String yaml(Path dir, String id, String output) throws IOException {
        Path data = Files.writeString(dir.resolve("data.yaml"), "names: [a, b, c]\n");
        return """
                sweep: {id: %s}
                model: {yaml: yolov8, scale: n}
                data: {dataset: %s, imgsz: 64, batch: 4}
                epochs: {dense: 3, sparse: 2, finetune: 2}
                seeds: [0]
                sparse: {lambdas: [0, 0.01]}
                prune: {methods: [bn, random], ratios: [0.25, 0.5], min_channels: 4}
                output: "%s"
                spark:
                  master: "local[2]"
                  child_heap: 192m
                  child_threads: 1
                  timeout_minutes: 5
                  child_java_options: ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dprunesweep.executor=io.prunesweep.sweep.testing.ToyStageExecutor"]
                  conf: {spark.ui.enabled: "false", spark.sql.shuffle.partitions: "1"}
                """
                .formatted(id, data, output);
    }

    public static int freePort() throws IOException {
        return io.prunesweep.testing.TestJvm.freePort();
    }

    public static String javaBin() {
        return io.prunesweep.testing.TestJvm.javaBin();
    }

    /** This JVM's classpath (surefire's booter jar carries the rest in its manifest). */
    public static String classpath() {
        return System.getProperty("java.class.path");
    }

    public static List<String> opens() {
        return io.prunesweep.sweep.run.JvmModuleOptions.all();
    }

    /** Starts a JVM with this classpath; output goes to {@code log}. */
    public static Process startJvm(
            String mainClass,
            List<String> args,
            Map<String, String> env,
            Path log,
            String... jvmFlags)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        if (sigintIgnored()) {
            // a test run started in the background (nohup, `cmd &` in a script) ignores SIGINT, and
            // so would the driver: Ctrl-C tests would hang. Restore the default for the child.
            cmd.addAll(List.of("env", "--default-signal=INT"));
        }
        cmd.addAll(List.of(javaBin(), "-Xmx384m", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(opens());
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", classpath(), mainClass));
        cmd.addAll(args);
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Whether this process ignores SIGINT (bit 2 of {@code SigIgn} in /proc/self/status). */
    static boolean sigintIgnored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2L) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: signals as they are
        }
        return false;
    }

    public static void waitForLog(Path log, String text, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "'"
                        + text
                        + "' did not appear in "
                        + log
                        + ":\n"
                        + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    /** Rows of a DuckDB query as maps column -> value. */
    public static List<Map<String, Object>> duck(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            List<Map<String, Object>> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= n; i++) {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    /** Every result.json under a local output directory. */
    public static Map<String, StageResult> localResults(Path output) throws IOException {
        Map<String, StageResult> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(output)) {
            for (Path p :
                    files.filter(f -> f.getFileName().toString().equals("result.json")).toList()) {
                out.put(
                        p.getParent().getFileName().toString(),
                        StageJson.read(Files.readAllBytes(p), StageResult.class));
            }
        }
        return out;
    }

    public static String path(Path p) {
        return p.toAbsolutePath().toString().replace(File.separatorChar, '/');
    }
}
