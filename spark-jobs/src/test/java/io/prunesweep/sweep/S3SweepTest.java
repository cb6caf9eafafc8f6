package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.testing.TestSweeps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep writing to s3a:// on a real S3 server (S3Proxy, filesystem backend, child JVM on 127.0.0.1). */
class S3SweepTest {
    @TempDir static Path dir;
    static Process s3proxy;
    static int port;

    @BeforeAll
    static void startS3Proxy() throws Exception {
        port = TestSweeps.freePort();
        Path store = Files.createDirectories(dir.resolve("s3"));
        Files.createDirectories(store.resolve("results")); // the bucket
        Path props = Files.writeString(dir.resolve("s3proxy.conf"), """
                s3proxy.endpoint=http://127.0.0.1:%d
                s3proxy.authorization=aws-v2-or-v4
                s3proxy.identity=test-access
                s3proxy.credential=test-secret
                jclouds.provider=filesystem-nio2
                jclouds.filesystem.basedir=%s
                """.formatted(port, store));
        String jar = Paths.get(org.gaul.s3proxy.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        Path log = dir.resolve("s3proxy.log");
        s3proxy = new ProcessBuilder(TestSweeps.javaBin(), "-Xmx256m", "-jar", jar, "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long end = System.currentTimeMillis() + 30_000;
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                break;
            } catch (java.io.IOException e) {
                if (System.currentTimeMillis() > end || !s3proxy.isAlive()) {
                    throw new AssertionError("S3Proxy did not start:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
    }

    @AfterAll
    static void stopS3Proxy() throws Exception {
        if (s3proxy != null) {
            s3proxy.destroy();
            s3proxy.waitFor();
        }
    }

    @Test
    void sweepWritesStagesAndTablesToS3a() throws Exception {
        String s3 = "spark.conf.spark.hadoop.fs.s3a.";
        SweepConfig config = TestSweeps.config(dir, "s3", "s3a://results/sweeps/s3",
                "prune.ratios=[0.25]", "prune.methods=[bn]",
                s3 + "endpoint=http://127.0.0.1:" + port, s3 + "endpoint.region=us-east-1",
                s3 + "path.style.access=true", s3 + "connection.ssl.enabled=false",
                s3 + "access.key=test-access", s3 + "secret.key=test-secret",
                s3 + "aws.credentials.provider=org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                s3 + "change.detection.version.required=false",
                // Hadoop caches a filesystem per bucket for the JVM: never reuse one pointing at another test's server
                s3 + "impl.disable.cache=true");
        SparkSession spark = SweepJob.session(config);
        try {
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            SweepRunner.Outcome outcome = new SweepRunner(config, new PrintStream(console, true)).run(spark);
            assertEquals(2, outcome.report().okPoints(), console.toString());
            List<Row> rows = spark.read().parquet("s3a://results/sweeps/s3/tables/points")
                    .select("status", "lambda", "after_params", "artifacts").collectAsList();
            assertEquals(2, rows.size());
            for (Row r : rows) {
                assertEquals("ok", r.getString(0));
                assertEquals(24000.0, r.getDouble(2), 1e-9);
                Map<String, String> artifacts = r.getJavaMap(3);
                assertTrue(artifacts.get("checkpoint").startsWith("s3a://results/sweeps/s3/stages/points/"));
            }
        } finally {
            spark.stop();
        }
        // The objects really are in the S3 server's store: 4 stage results (1 dense, 1 sparse, 2 points).
        try (Stream<Path> files = Files.walk(dir.resolve("s3/results"))) {
            assertEquals(4, files.filter(p -> p.getFileName().toString().equals("result.json")).count());
        }
        // No credentials in the request records kept with the results.
        try (Stream<Path> files = Files.walk(dir.resolve("s3/results"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("request.json")).toList()) {
                assertTrue(!Files.readString(p).contains("test-secret"), p.toString());
            }
        }
    }
}
