package io.prunesweep.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.cli.CliRun;
import io.prunesweep.data.convert.ConvertFixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data stats}: per-class counts, COCO size bins at their boundaries, and the PNG chart. */
class DatasetStatsTest {
    @TempDir Path tmp;

    @Test
    void countsBoxesImagesAndCocoSizes() throws Exception {
        // 256 px images so box sides in pixels are exact in the normalized labels
        for (String im : new String[] {"train/0", "train/1", "train/2", "val/0"}) {
            ConvertFixtures.image(tmp.resolve("images/" + im + ".png"), 256, 256, "png");
        }
        Files.createDirectories(tmp.resolve("labels/train"));
        Files.createDirectories(tmp.resolve("labels/val"));
        // a: 20 px (small) and exactly 32 px (medium: small is area < 32²); b: 100 px (large)
        Files.writeString(
                tmp.resolve("labels/train/0.txt"),
                "0 0.5 0.5 0.078125 0.078125\n0 0.3 0.3 0.125 0.125\n1 0.6 0.6 0.390625 0.390625\n");
        Files.writeString(
                tmp.resolve("labels/train/1.txt"),
                "1 0.5 0.5 0.371094 0.371094\n"); // 95 px: medium
        Files.writeString(
                tmp.resolve("labels/val/0.txt"), "0 0.5 0.5 0.5 0.375\n"); // 128 x 96 px: large
        Files.writeString(
                tmp.resolve("data.yaml"), "train: images/train\nval: images/val\nnames: [a, b]\n");

        CliRun r = CliRun.of("data", "stats", "--data", tmp.resolve("data.yaml").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out().replaceAll(" +", " ");
        assertTrue(out.contains("train a 2 1 1 1 0\n"), out);
        assertTrue(out.contains("train b 2 2 0 1 1\n"), out);
        assertTrue(out.contains("train all 4 3 img 1 2 1\n"), out);
        assertTrue(out.contains("val a 1 1 0 0 1\n"), out);
        assertTrue(out.contains("val b 0 0 0 0 0\n"), out);
        BufferedImage png = javax.imageio.ImageIO.read(tmp.resolve("stats.png").toFile());
        assertTrue(
                png.getWidth() >= 520 && png.getHeight() > 300,
                png.getWidth() + "x" + png.getHeight());

        Path elsewhere = tmp.resolve("charts/s.png");
        assertEquals(
                0,
                CliRun.of(
                                "data",
                                "stats",
                                "--data",
                                tmp.resolve("data.yaml").toString(),
                                "--out",
                                elsewhere.toString())
                        .code());
        assertTrue(Files.size(elsewhere) > 1000);
    }
}
