package io.prunesweep.io;

import io.prunesweep.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files on any Hadoop filesystem (local paths, {@code file:}, {@code hdfs://}, {@code s3a://}); credentials come
 * from Hadoop's standard providers. Writes go to a temporary name and are renamed when complete, so a reader
 * never sees half a file.
 */
public final class FileSystems {
    private static final Configuration CONF = new Configuration();

    private FileSystems() {}

    public static Configuration conf() {
        return CONF;
    }

    /** Adds settings (e.g. {@code fs.s3a.endpoint}) to the configuration every engine filesystem call uses. */
    public static void configure(java.util.Map<String, String> settings) {
        settings.forEach(CONF::set);
    }

    public static Path path(String uriOrPath) {
        URI u = URI.create(uriOrPath.replace(" ", "%20"));
        return u.getScheme() == null ? new Path(new java.io.File(uriOrPath).getAbsoluteFile().toURI()) : new Path(uriOrPath);
    }

    public static FileSystem fs(Path p) {
        try {
            return p.getFileSystem(CONF);
        } catch (IOException e) {
            throw new InputException(p + ": cannot reach the filesystem: " + e.getMessage(), e);
        }
    }

    public static boolean exists(String uri) {
        Path p = path(uri);
        try {
            return fs(p).exists(p);
        } catch (IOException e) {
            throw new InputException(uri + ": cannot check existence: " + e.getMessage(), e);
        }
    }

    public static InputStream open(String uri) {
        Path p = path(uri);
        try {
            return fs(p).open(p);
        } catch (java.io.FileNotFoundException e) {
            throw new InputException(uri + ": file not found");
        } catch (IOException e) {
            throw new InputException(uri + ": cannot open: " + e.getMessage(), e);
        }
    }

    /** Writes a file atomically: the body writes to a temporary sibling that is renamed over the target. */
    public static void writeAtomically(String uri, IOBody body) {
        Path target = path(uri);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + ProcessHandle.current().pid());
        FileSystem fs = fs(target);
        try {
            fs.mkdirs(target.getParent());
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                body.write(out);
            }
            if (fs.exists(target)) fs.delete(target, false);
            if (!fs.rename(tmp, target)) throw new IOException("rename of " + tmp + " failed");
        } catch (IOException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException ignored) {
                // best effort cleanup
            }
            throw new InputException(uri + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** The body of an atomic write. */
    @FunctionalInterface
    public interface IOBody {
        void write(OutputStream out) throws IOException;
    }
}
