package io.prunesweep.io;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks a storage URI before any work, failing fast: S3A's defaults retry an unreachable endpoint
 * for minutes (SDK retries inside S3A's own retry loop, 200 s socket timeouts), so a check gets its
 * own configuration with one attempt and short timeouts, and a wall-clock deadline on top for
 * whatever else could block (a DNS lookup, a credential chain). The filesystem used is never
 * cached: real work keeps the patient settings.
 */
public final class StorageProbe {
    /** A check that has not answered by then is reported as unreachable. */
    public static final Duration DEADLINE = Duration.ofSeconds(12);

    private StorageProbe() {}

    /** What a probe does with the filesystem of its URI. */
    @FunctionalInterface
    public interface Call<T> {
        T apply(FileSystem fs, Path path) throws IOException;
    }

    /** A failed or unanswered check, with a one-line reason naming the endpoint and the cause. */
    public static final class Failure extends IOException {
        public Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * {@code base} with settings that make S3A give up after one short attempt (honoured by
     * hadoop-aws 3.4.1).
     */
    public static Configuration fastFail(Configuration base) {
        Configuration c = new Configuration(base);
        c.set("fs.s3a.attempts.maximum", "0"); // AWS SDK retries of one request
        c.set("fs.s3a.retry.limit", "1"); // S3A's own retry loop around SDK calls
        c.set("fs.s3a.retry.interval", "100ms");
        c.set("fs.s3a.retry.throttle.limit", "1");
        c.set("fs.s3a.retry.throttle.interval", "100ms");
        c.set(
                "fs.s3a.connection.establish.timeout",
                "15s"); // the least S3A accepts; the deadline is shorter
        c.set("fs.s3a.connection.timeout", "5s");
        c.set("fs.s3a.connection.request.timeout", "8s");
        c.set("fs.s3a.impl.disable.cache", "true"); // never hand these settings to later, real work
        return c;
    }

    /** Runs {@code call} on {@code uri} with fast-fail settings and the deadline. */
    public static <T> T check(String uri, Configuration base, Call<T> call) throws Failure {
        Configuration conf = fastFail(base);
        Path path = new Path(uri);
        CompletableFuture<T> future = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            FileSystem fs = null;
                            try {
                                fs = path.getFileSystem(conf);
                                future.complete(call.apply(fs, path));
                            } catch (Throwable e) {
                                future.completeExceptionally(e);
                            } finally {
                                if (fs != null) {
                                    try {
                                        fs.close();
                                    } catch (IOException | RuntimeException ignored) {
                                        // an uncached probe filesystem
                                    }
                                }
                            }
                        },
                        "storage-probe");
        t.setDaemon(true);
        t.start();
        try {
            return future.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            t.interrupt();
            throw new Failure(
                    where(path, conf) + " did not answer within " + DEADLINE.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            t.interrupt();
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while checking " + uri, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new Failure(where(path, conf) + ": " + rootCause(cause), cause);
        }
    }

    /**
     * {@code s3a endpoint http://host:port} for S3A URIs, else the filesystem's scheme and
     * authority.
     */
    static String where(Path path, Configuration conf) {
        String scheme = path.toUri().getScheme();
        if ("s3a".equals(scheme)) {
            String bucket = path.toUri().getHost();
            String endpoint =
                    conf.get("fs.s3a.bucket." + bucket + ".endpoint", conf.get("fs.s3a.endpoint"));
            return "s3a endpoint "
                    + (endpoint == null || endpoint.isBlank() ? "(AWS default)" : endpoint);
        }
        return (scheme == null ? "file" : scheme)
                + " filesystem"
                + (path.toUri().getAuthority() == null ? "" : " " + path.toUri().getAuthority());
    }

    /**
     * The innermost cause as {@code ClassName: message}: "ConnectException: Connection refused".
     */
    public static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        msg = msg == null ? "" : msg.split("\n")[0];
        if (msg.length() > 200) {
            msg = msg.substring(0, 200) + "...";
        }
        return root.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg);
    }
}
