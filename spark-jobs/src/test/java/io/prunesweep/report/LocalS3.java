package io.prunesweep.report;

import io.prunesweep.sweep.testing.TestSweeps;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hadoop.conf.Configuration;

/** A real S3 endpoint for tests: S3Proxy (filesystem backend) in a child JVM bound to 127.0.0.1. */
final class LocalS3 implements AutoCloseable {
    private final Process process;
    private final int port;

    private LocalS3(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts S3Proxy with one empty bucket stored under {@code dir}. */
    static LocalS3 start(Path dir, String bucket) throws Exception {
        int port = TestSweeps.freePort();
        Files.createDirectories(dir.resolve("store").resolve(bucket));
        Path props = Files.writeString(dir.resolve("s3proxy.conf"), """
                s3proxy.endpoint=http://127.0.0.1:%d
                s3proxy.authorization=aws-v2-or-v4
                s3proxy.identity=test-access
                s3proxy.credential=test-secret
                jclouds.provider=filesystem-nio2
                jclouds.filesystem.basedir=%s
                """.formatted(port, dir.resolve("store")));
        String jar = Paths.get(org.gaul.s3proxy.Main.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toString();
        Path log = dir.resolve("s3proxy.log");
        Process p = new ProcessBuilder(TestSweeps.javaBin(), "-Xmx256m", "-jar", jar, "--properties",
                props.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long end = System.currentTimeMillis() + 30_000;
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return new LocalS3(p, port);
            } catch (java.io.IOException e) {
                if (System.currentTimeMillis() > end || !p.isAlive()) {
                    p.destroyForcibly();
                    throw new AssertionError("S3Proxy did not start:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
    }

    /** s3a settings for this endpoint (test credentials, never used outside tests). */
    void configure(Configuration conf) {
        conf.set("fs.s3a.endpoint", "http://127.0.0.1:" + port);
        conf.set("fs.s3a.endpoint.region", "us-east-1");
        conf.set("fs.s3a.path.style.access", "true");
        conf.set("fs.s3a.connection.ssl.enabled", "false");
        conf.set("fs.s3a.access.key", "test-access");
        conf.set("fs.s3a.secret.key", "test-secret");
        conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        conf.set("fs.s3a.change.detection.version.required", "false");
        // Hadoop caches a filesystem per bucket for the JVM: other tests' servers must not inherit this one.
        conf.set("fs.s3a.impl.disable.cache", "true");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
