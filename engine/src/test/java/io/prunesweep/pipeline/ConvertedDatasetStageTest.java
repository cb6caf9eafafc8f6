package io.prunesweep.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.data.convert.ConvertFixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep stage whose {@code data.dataset} is {@code voc:<folder>}: converted on first use, then
 * trained on.
 */
class ConvertedDatasetStageTest {
    @TempDir Path tmp;

    /**
     * The real dense stage (yolov8n, 64 px, one epoch) on {@code voc:<fixture>}: conversion, scan,
     * train, eval.
     */
    @Test
    void aStageTrainsOnAVocSource() throws Exception {
        Path src = ConvertFixtures.voc(tmp);
        String before = System.getProperty("prunesweep.dataCache");
        System.setProperty("prunesweep.dataCache", tmp.resolve("cache").toString());
        try {
            StageSettings s =
                    new StageSettings(
                            "yolov8",
                            "n",
                            null,
                            "voc:" + src,
                            64,
                            2,
                            1,
                            0,
                            0,
                            null,
                            0,
                            "global",
                            8,
                            8);
            StageRequest req =
                    new StageRequest(
                            StageKind.DENSE,
                            "test",
                            "d",
                            s,
                            List.of(),
                            tmp.resolve("d").toUri().toString(),
                            "cpu",
                            null,
                            1,
                            Map.of());
            StageResult r = StageMain.execute(req, new PrintStream(new ByteArrayOutputStream()));
            assertTrue(r.ok(), () -> "dense failed: " + r.error());
            assertTrue(r.metrics().get("after.map50_95") >= 0);
            assertEquals(
                    3_011_433,
                    r.metrics().get("after.params"),
                    0.5,
                    "YOLOv8n at nc=3 (cat, dog, person)");
            try (var l = Files.list(tmp.resolve("cache"))) {
                assertTrue(l.anyMatch(p -> p.getFileName().toString().startsWith("voc-")));
            }
        } finally {
            if (before == null) {
                System.clearProperty("prunesweep.dataCache");
            } else {
                System.setProperty("prunesweep.dataCache", before);
            }
        }
    }
}
