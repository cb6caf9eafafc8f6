package io.prunesweep.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verdicts round-trip through their JSON file, and an unwritable cache folder falls back instead of
 * failing the engine.
 */
class VerdictCacheTest {
    @TempDir Path tmp;

    @Test
    void aVerdictReadsBackAsWritten() throws Exception {
        VerdictCache cache = new VerdictCache(tmp.resolve("c"));
        HostFingerprint host = HostFingerprint.current();
        BackendVerdict v =
                new BackendVerdict(
                        host,
                        BackendSettings.LADDER.get(1),
                        List.of(
                                new BackendVerdict.Attempt(
                                        BackendSettings.LADDER.get(0),
                                        false,
                                        "6 of 270 convolutions wrong",
                                        12),
                                new BackendVerdict.Attempt(
                                        BackendSettings.LADDER.get(1), true, "270 ok", 34)),
                        "2026-12-05T00:00:00Z",
                        46,
                        "x");
        cache.write(v);
        assertEquals(v, cache.read(host.key()).orElseThrow());
        assertTrue(
                v.describe()
                        .startsWith(
                                "oneDNN default ISA: 6 of 270 convolutions wrong; chose oneDNN default ISA, channels padded to 16"),
                v.describe());
        cache.delete(host.key());
        assertTrue(cache.read(host.key()).isEmpty());
    }

    @Test
    void anUnwritableFolderFallsBackToTheTempDirectory() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        String before = System.getProperty(VerdictCache.DIR_PROPERTY);
        System.setProperty(VerdictCache.DIR_PROPERTY, file.resolve("backend").toString());
        try {
            Path dir = VerdictCache.standard().dir();
            assertNotEquals(file.resolve("backend"), dir);
            assertTrue(
                    dir.startsWith(Path.of(System.getProperty("java.io.tmpdir"))), dir.toString());
        } finally {
            if (before == null) {
                System.clearProperty(VerdictCache.DIR_PROPERTY);
            } else {
                System.setProperty(VerdictCache.DIR_PROPERTY, before);
            }
        }
    }
}
