package io.prunesweep.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Stage files on any Hadoop filesystem (local, hdfs://, s3a://). Every file is written under a hidden
 * temporary name and renamed when complete, so a reader never sees half a file.
 */
public final class StageFiles {
    private StageFiles() {}

    public static final String RESULT_JSON = "result.json";
    public static final String REQUEST_JSON = "request.json";

    public static String child(String dirUri, String name) {
        return dirUri.endsWith("/") ? dirUri + name : dirUri + "/" + name;
    }

    /** A Hadoop configuration with the given settings on top of the defaults. */
    public static Configuration conf(Map<String, String> settings) {
        Configuration conf = new Configuration();
        settings.forEach(conf::set);
        return conf;
    }

    public static boolean exists(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        return p.getFileSystem(conf).exists(p);
    }

    public static byte[] read(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            return in.readAllBytes();
        }
    }

    public static void writeAtomically(String uri, String text, Configuration conf) throws IOException {
        writeAtomically(uri, text.getBytes(StandardCharsets.UTF_8), conf);
    }

    /** Writes to {@code .<name>.tmp-<uuid>} next to the target, then renames over the target. */
    public static void writeAtomically(String uri, byte[] data, Configuration conf) throws IOException {
        Path target = new Path(uri);
        FileSystem fs = target.getFileSystem(conf);
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(data);
        }
        commit(fs, tmp, target);
    }

    /** Renames a finished temporary file over its target (Hadoop's rename refuses to overwrite). */
    public static void commit(FileSystem fs, Path tmp, Path target) throws IOException {
        if (!fs.rename(tmp, target)) {
            fs.delete(target, false);
            if (!fs.rename(tmp, target)) {
                fs.delete(tmp, false);
                throw new IOException("could not rename " + tmp + " to " + target);
            }
        }
    }

    /** The result of a finished stage, or null when its result file does not exist (yet). */
    public static StageResult readResult(String outputDir, Configuration conf) throws IOException {
        String uri = child(outputDir, RESULT_JSON);
        if (!exists(uri, conf)) {
            return null;
        }
        return StageJson.read(read(uri, conf), StageResult.class);
    }
}
