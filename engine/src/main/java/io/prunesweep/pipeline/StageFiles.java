package io.prunesweep.pipeline;

import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Stage files on any Hadoop filesystem (local, hdfs://, s3a://): their names and the stage's own
 * configuration. Reading, joining and the atomic write are {@link FileSystems}' (one copy of each):
 * every file is written under a hidden temporary name and renamed when complete, so a reader never
 * sees half a file; no {@code .crc} is left beside a local file, and no temporary file when a write
 * fails.
 */
public final class StageFiles {
    private StageFiles() {}

    public static final String RESULT_JSON = "result.json";
    public static final String REQUEST_JSON = "request.json";

    /** See {@link FileSystems#child}. */
    public static String child(String dirUri, String name) {
        return FileSystems.child(dirUri, name);
    }

    /** A Hadoop configuration with the given settings on top of the defaults. */
    public static Configuration conf(Map<String, String> settings) {
        Configuration conf = new Configuration();
        settings.forEach(conf::set);
        return conf;
    }

    public static boolean exists(String uri, Configuration conf) throws IOException {
        return FileSystems.exists(new Path(uri), conf);
    }

    public static byte[] read(String uri, Configuration conf) throws IOException {
        return FileSystems.readBytes(new Path(uri), conf);
    }

    public static void writeAtomically(String uri, String text, Configuration conf)
            throws IOException {
        writeAtomically(uri, text.getBytes(StandardCharsets.UTF_8), conf);
    }

    /**
     * {@link FileSystems#writeAtomically(Path, Configuration, FileSystems.IOBody)} of {@code data}.
     */
    public static void writeAtomically(String uri, byte[] data, Configuration conf)
            throws IOException {
        FileSystems.writeAtomically(new Path(uri), conf, out -> out.write(data));
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
