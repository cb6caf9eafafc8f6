package io.prunesweep.data.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.InputException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data.dataset: voc:<uri>} (and coco:, kitti:): converted once into the cache and reused.
 */
class ConvertedDatasetSpecTest {
    @TempDir Path tmp;

    @Test
    void parsesThePrefixes() {
        assertTrue(ConvertedDatasetSpec.isSpec("coco:/data/coco"));
        assertFalse(ConvertedDatasetSpec.isSpec("/data/coco/data.yaml"));
        assertFalse(ConvertedDatasetSpec.isSpec("shapes:train=8"));
        assertEquals(
                new ConvertedDatasetSpec(ConvertOptions.Format.KITTI, "s3a://b/kitti/training"),
                ConvertedDatasetSpec.parse("kitti:s3a://b/kitti/training"));
        assertTrue(
                assertThrows(InputException.class, () -> ConvertedDatasetSpec.parse("voc:"))
                        .getMessage()
                        .contains("name the source after the prefix"));
    }

    @Test
    void convertsOnceAndReuses() throws Exception {
        Path src = ConvertFixtures.voc(tmp);
        ConvertedDatasetSpec spec = ConvertedDatasetSpec.parse("voc:" + src);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path yaml = spec.materialize(tmp.resolve("cache"), new PrintStream(log, true));
        assertTrue(Files.exists(yaml), yaml.toString());
        assertTrue(log.toString().contains("converted voc:" + src), log.toString());
        long written = Files.getLastModifiedTime(yaml).toMillis();
        log.reset();
        assertEquals(yaml, spec.materialize(tmp.resolve("cache"), new PrintStream(log, true)));
        assertTrue(log.toString().contains("already converted"), log.toString());
        assertEquals(written, Files.getLastModifiedTime(yaml).toMillis());
        try (var s = Files.list(tmp.resolve("cache"))) {
            assertEquals(1, s.count(), "no temporary folder left behind");
        }
    }
}
