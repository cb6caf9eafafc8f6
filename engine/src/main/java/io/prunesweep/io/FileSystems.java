package io.prunesweep.io;

import io.prunesweep.InputException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files on any Hadoop filesystem (local paths, {@code file:}, {@code hdfs://}, {@code s3a://});
 * credentials come from Hadoop's standard providers. Writes go to a temporary name and are renamed
 * when complete, so a reader never sees half a file.
 *
 * <p>Two flavours: the {@code String} methods take a user-given path or URI, use the process-wide
 * configuration and turn every failure into an {@link InputException}; the {@code (Path,
 * Configuration)} methods are for code that walks many files (a dataset scan) and wants an {@link
 * IOException} per file to count and skip.
 */
public final class FileSystems {
    private static final Configuration CONF =
            siteFiles(new Configuration(), System.getenv("HADOOP_CONF_DIR"));

    private FileSystems() {}

    /**
     * Adds {@code core-site.xml} of a Hadoop configuration directory (as {@code HADOOP_CONF_DIR}
     * names it), so the standalone CLI reaches the same stores as Hadoop's own tools: an S3
     * endpoint, a credential provider path.
     */
    static Configuration siteFiles(Configuration conf, String confDir) {
        if (confDir != null && !confDir.isBlank()) {
            java.io.File core = new java.io.File(confDir, "core-site.xml");
            if (core.isFile()) {
                conf.addResource(new Path(core.toURI()));
            }
        }
        return conf;
    }

    public static Configuration conf() {
        return CONF;
    }

    /**
     * Adds settings (e.g. {@code fs.s3a.endpoint}) to the configuration every engine filesystem
     * call uses.
     */
    public static void configure(java.util.Map<String, String> settings) {
        settings.forEach(CONF::set);
    }

    /**
     * A Hadoop path from a URI, or from a local path (made absolute against the working directory)
     * when there is no scheme. Hadoop's {@code Path} quotes what a URI cannot hold, so a local name
     * with a space, {@code %} or {@code #} works as it is.
     */
    public static Path path(String uriOrPath) {
        Path p = new Path(uriOrPath);
        if (p.toUri().getScheme() != null) {
            return p;
        }
        try {
            return FileSystem.getLocal(CONF).makeQualified(p);
        } catch (IOException e) {
            throw new InputException(
                    uriOrPath + ": the local filesystem is not available: " + e.getMessage(), e);
        }
    }

    /**
     * {@code name} inside the directory {@code dirUri}, as a string: the one path join of the code
     * base (stage directories, result files, report files). The directory is kept as given
     * (relative stays relative, a URI keeps its scheme), so the paths written into results read the
     * same on every run.
     */
    public static String child(String dirUri, String name) {
        return dirUri.endsWith("/") ? dirUri + name : dirUri + "/" + name;
    }

    public static FileSystem fs(Path p) {
        return fs(p, CONF);
    }

    public static FileSystem fs(Path p, Configuration conf) {
        try {
            return p.getFileSystem(conf);
        } catch (IOException e) {
            throw new InputException(
                    p
                            + ": no filesystem for this path ("
                            + e.getMessage()
                            + "); check the scheme and the Hadoop configuration",
                    e);
        }
    }

    public static boolean exists(String uri) {
        Path p = path(uri);
        try {
            return exists(p, CONF);
        } catch (IOException e) {
            throw new InputException(uri + ": cannot check existence: " + e.getMessage(), e);
        }
    }

    public static boolean exists(Path p, Configuration conf) throws IOException {
        return fs(p, conf).exists(p);
    }

    public static InputStream open(String uri) {
        Path p = path(uri);
        try {
            return fs(p).open(p);
        } catch (FileNotFoundException e) {
            throw new InputException(uri + ": file not found");
        } catch (IOException e) {
            throw new InputException(uri + ": cannot open: " + e.getMessage(), e);
        }
    }

    public static byte[] readBytes(Path p, Configuration conf) throws IOException {
        try (FSDataInputStream in = fs(p, conf).open(p)) {
            return in.readAllBytes();
        }
    }

    public static String readText(Path p, Configuration conf) throws IOException {
        return new String(readBytes(p, conf), StandardCharsets.UTF_8);
    }

    /**
     * Writes a file atomically: the body writes to a temporary sibling that is renamed over the
     * target.
     */
    public static void writeAtomically(String uri, IOBody body) {
        try {
            writeAtomically(path(uri), CONF, body);
        } catch (IOException e) {
            throw new InputException(uri + ": cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #writeAtomically(String, IOBody)}. On the local filesystem Hadoop's checksummed
     * wrapper would leave a {@code .name.crc} beside every file (and beside the temporary one);
     * files written here are read by other tools, so the raw local filesystem writes them, and an
     * old target is deleted through the wrapper so a stale {@code .crc} cannot outlive it and fail
     * a later checksummed read.
     */
    public static void writeAtomically(Path target, Configuration conf, IOBody body)
            throws IOException {
        FileSystem fs = fs(target, conf);
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        Path tmp =
                new Path(
                        target.getParent(),
                        "."
                                + target.getName()
                                + ".tmp-"
                                + ProcessHandle.current().pid()
                                + "-"
                                + Thread.currentThread().getId());
        try {
            raw.mkdirs(target.getParent());
            try (FSDataOutputStream out = raw.create(tmp, true)) {
                body.write(out);
            }
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!raw.rename(tmp, target)) {
                throw new IOException("rename of " + tmp + " failed");
            }
        } catch (IOException | RuntimeException e) {
            try {
                raw.delete(tmp, false);
            } catch (IOException ignored) {
                // best effort cleanup; the original failure is what matters
            }
            throw e;
        }
    }

    /**
     * Fails in one line, with the operating system's reason, unless a file can be written at {@code
     * uri}: for commands that would otherwise compute for minutes and only then find out (export).
     * Creates missing parent directories, as the write would.
     */
    public static void requireWritable(String uri) {
        Path target = path(uri);
        if (!"file".equals(target.toUri().getScheme())) {
            try {
                FileSystem fs = fs(target, CONF);
                Path probe =
                        new Path(
                                target.getParent(),
                                "." + target.getName() + ".probe-" + ProcessHandle.current().pid());
                fs.mkdirs(target.getParent());
                fs.create(probe, true).close();
                fs.delete(probe, false);
            } catch (IOException e) {
                throw new InputException(uri + ": cannot write: " + StorageProbe.rootCause(e), e);
            }
            return;
        }
        java.nio.file.Path file = java.nio.file.Paths.get(target.toUri());
        if (java.nio.file.Files.isDirectory(file)) {
            throw new InputException(uri + ": cannot write: it is a directory; name a file");
        }
        java.nio.file.Path dir = file.getParent();
        for (java.nio.file.Path d = dir; d != null; d = d.getParent()) {
            if (java.nio.file.Files.exists(d)) {
                if (!java.nio.file.Files.isDirectory(d)) {
                    throw new InputException(
                            uri + ": cannot write: " + d + " is a file, not a directory");
                }
                break;
            }
        }
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.delete(
                    java.nio.file.Files.createTempFile(dir, "." + file.getFileName(), ".probe"));
        } catch (IOException e) {
            throw new InputException(uri + ": cannot write: " + osReason(e, dir), e);
        }
    }

    /**
     * "permission denied in /x", "Read-only file system in /x": what the OS said, not just the
     * path.
     */
    static String osReason(IOException e, java.nio.file.Path dir) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied in " + dir;
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName())
                    + " in "
                    + dir;
        }
        return e.getMessage();
    }

    /** The body of an atomic write. */
    @FunctionalInterface
    public interface IOBody {
        void write(OutputStream out) throws IOException;
    }
}
