package io.prunesweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.testing.TestSweeps;
import io.prunesweep.testing.LocalS3;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep writing to s3a:// on a real S3 server (S3Proxy, filesystem backend, child JVM on
 * 127.0.0.1).
 */
class S3SweepTest {
    @TempDir static Path dir;
    static LocalS3 s3;

    @BeforeAll
    static void startS3Proxy() throws Exception {
        s3 = LocalS3.start(dir.resolve("s3"), "results");
    }

    @AfterAll
    static void stopS3Proxy() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void sweepWritesStagesAndTablesToS3a() throws Exception {
        List<String> overrides =
                new java.util.ArrayList<>(List.of("prune.ratios=[0.25]", "prune.methods=[bn]"));
        overrides.addAll(s3.sweepOverrides());
        SweepConfig config =
                TestSweeps.config(
                        dir, "s3", "s3a://results/sweeps/s3", overrides.toArray(String[]::new));
        SparkSession spark = SweepJob.session(config);
        try {
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            SweepRunner.Outcome outcome =
                    new SweepRunner(config, new PrintStream(console, true)).run(spark);
            assertEquals(2, outcome.report().okPoints(), console.toString());
            List<Row> rows =
                    spark.read()
                            .parquet("s3a://results/sweeps/s3/tables/points")
                            .select("status", "lambda", "after_params", "artifacts")
                            .collectAsList();
            assertEquals(2, rows.size());
            for (Row r : rows) {
                assertEquals("ok", r.getString(0));
                assertEquals(24000.0, r.getDouble(2), 1e-9);
                Map<String, String> artifacts = r.getJavaMap(3);
                assertTrue(
                        artifacts
                                .get("checkpoint")
                                .startsWith("s3a://results/sweeps/s3/stages/points/"));
            }
        } finally {
            spark.stop();
        }
        // The objects really are in the S3 server's store: 4 stage results (1 dense, 1 sparse, 2
        // points).
        try (Stream<Path> files = Files.walk(dir.resolve("s3/store/results"))) {
            assertEquals(
                    4, files.filter(p -> p.getFileName().toString().equals("result.json")).count());
        }
        // No credentials in the request records kept with the results.
        try (Stream<Path> files = Files.walk(dir.resolve("s3/store/results"))) {
            for (Path p :
                    files.filter(f -> f.getFileName().toString().equals("request.json")).toList()) {
                assertTrue(!Files.readString(p).contains("test-secret"), p.toString());
            }
        }
    }
}
