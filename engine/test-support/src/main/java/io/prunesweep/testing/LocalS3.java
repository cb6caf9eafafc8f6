package io.prunesweep.testing;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** A real S3 endpoint for tests: S3Proxy (filesystem backend) in a child JVM bound to 127.0.0.1. */
public final class LocalS3 implements AutoCloseable {
    private final Process process;
    private final int port;
    private final String secret;

    private LocalS3(Process process, int port, String secret) {
        this.process = process;
        this.port = port;
        this.secret = secret;
    }

    /** Starts S3Proxy with one empty bucket stored under {@code dir}. */
    public static LocalS3 start(Path dir, String bucket) throws Exception {
        return start(dir, bucket, "test-secret");
    }

    /**
     * The same with this secret key (a test can plant a distinctive one and look for it
     * afterwards).
     */
    public static LocalS3 start(Path dir, String bucket, String secret) throws Exception {
        int port = TestJvm.freePort();
        Files.createDirectories(dir.resolve("store").resolve(bucket));
        Path props =
                Files.writeString(
                        dir.resolve("s3proxy.conf"),
                        """
                s3proxy.endpoint=http://127.0.0.1:%d
                s3proxy.authorization=aws-v2-or-v4
                s3proxy.identity=test-access
                s3proxy.credential=%s
                jclouds.provider=filesystem-nio2
                jclouds.filesystem.basedir=%s
                """
                                .formatted(port, secret, dir.resolve("store")));
        String jar =
                Paths.get(
                                org.gaul.s3proxy.Main.class
                                        .getProtectionDomain()
                                        .getCodeSource()
                                        .getLocation()
                                        .toURI())
                        .toString();
        Path log = dir.resolve("s3proxy.log");
        Process p =
                new ProcessBuilder(
                                TestJvm.javaBin(),
                                "-Xmx256m",
                                "-jar",
                                jar,
                                "--properties",
                                props.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        long end = System.currentTimeMillis() + 30_000;
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new LocalS3(p, port, secret);
            } catch (java.io.IOException e) {
                if (System.currentTimeMillis() > end || !p.isAlive()) {
                    p.destroyForcibly();
                    throw new AssertionError("S3Proxy did not start:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * s3a settings for this endpoint (test credentials, never used outside tests), without the
     * fs.s3a. prefix.
     */
    public Map<String, String> s3aSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("endpoint", "http://127.0.0.1:" + port);
        m.put("endpoint.region", "us-east-1");
        m.put("path.style.access", "true");
        m.put("connection.ssl.enabled", "false");
        m.put("access.key", "test-access");
        m.put("secret.key", secret);
        m.put("aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        m.put("change.detection.version.required", "false");
        // Hadoop caches a filesystem per bucket for the JVM: other tests' servers must not inherit
        // this one.
        m.put("impl.disable.cache", "true");
        return m;
    }

    /** Where S3Proxy keeps the objects (one folder per bucket). */
    public static Path store(Path dir) {
        return dir.resolve("store");
    }

    public void configure(Configuration conf) {
        s3aSettings().forEach((k, v) -> conf.set("fs.s3a." + k, v));
    }

    /** The same as sweep YAML overrides ({@code spark.conf.spark.hadoop.fs.s3a.*=...}). */
    public List<String> sweepOverrides() {
        return s3aSettings().entrySet().stream()
                .map(e -> "spark.conf.spark.hadoop.fs.s3a." + e.getKey() + "=" + e.getValue())
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
