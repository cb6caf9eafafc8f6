package io.prunesweep.backend;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Verdicts on disk, one JSON file per {@link HostFingerprint#key()}, so the check costs once per
 * host and libtorch. Several JVMs starting at once (a sweep's points) serialise on one file lock:
 * the first probes, the rest read.
 */
final class VerdictCache {
    static final String DIR_PROPERTY = "prunesweep.backend.cache";
    static final String DIR_VARIABLE = "PRUNESWEEP_BACKEND_CACHE";
    static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path dir;

    VerdictCache(Path dir) {
        this.dir = dir;
    }

    /**
     * {@code -Dprunesweep.backend.cache}, else {@code $PRUNESWEEP_BACKEND_CACHE}, else {@code
     * ~/.cache/prunesweep/backend}; where that cannot be written (a read-only home in a container),
     * a folder under the temp directory.
     */
    static VerdictCache standard() {
        String p = System.getProperty(DIR_PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(DIR_VARIABLE);
        }
        if (p == null || p.isBlank()) {
            p =
                    Path.of(System.getProperty("user.home"), ".cache", "prunesweep", "backend")
                            .toString();
        }
        Path dir = Path.of(p);
        if (!writable(dir)) {
            dir =
                    Path.of(
                            System.getProperty("java.io.tmpdir"),
                            "prunesweep-backend-" + System.getProperty("user.name"));
        }
        return new VerdictCache(dir);
    }

    private static boolean writable(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.isWritable(dir);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    Path file(String key) {
        return dir.resolve(key + ".json");
    }

    Optional<BackendVerdict> read(String key) {
        Path f = file(key);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), BackendVerdict.class));
        } catch (IOException e) {
            return Optional.empty(); // unreadable or from an older format: check again
        }
    }

    void write(BackendVerdict v) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, v.host().key(), ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), v);
            Files.move(
                    tmp,
                    file(v.host().key()),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    void delete(String key) {
        try {
            Files.deleteIfExists(file(key));
        } catch (IOException ignored) {
            // the next run checks again either way
        }
    }

    /** Runs {@code body} holding this cache's lock (across processes). */
    <T> T locked(Callable<T> body) throws Exception {
        Files.createDirectories(dir);
        try (FileChannel ch =
                        FileChannel.open(
                                dir.resolve(".lock"),
                                StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE);
                FileLock ignored = ch.lock()) {
            return body.call();
        }
    }

    Path dir() {
        return dir;
    }
}
