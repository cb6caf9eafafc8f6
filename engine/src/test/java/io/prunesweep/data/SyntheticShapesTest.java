package io.prunesweep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.imgcodecs.Imgcodecs;

class SyntheticShapesTest {
    @TempDir Path tmp;

    @Test
    void sameSeedWritesIdenticalBytesAndDifferentSeedDoesNot() throws Exception {
        Configuration conf = new Configuration();
        SyntheticShapes.Options opts = new SyntheticShapes.Options(4, 2, 64, 7, ".jpg");
        SyntheticShapes.write(TestFiles.hadoop(tmp.resolve("a")), opts, conf);
        SyntheticShapes.write(TestFiles.hadoop(tmp.resolve("b")), opts, conf);
        SyntheticShapes.write(
                TestFiles.hadoop(tmp.resolve("c")),
                new SyntheticShapes.Options(4, 2, 64, 8, ".jpg"),
                conf);
        List<Path> files = listFiles(tmp.resolve("a"));
        assertEquals(
                4 + 2 + 4 + 2 + 1,
                files.size(),
                files.toString()); // images, labels, data.yaml; no .crc
        boolean anyDiffers = false;
        for (Path f : files) {
            Path rel = tmp.resolve("a").relativize(f);
            assertArrayEquals(
                    Files.readAllBytes(f),
                    Files.readAllBytes(tmp.resolve("b").resolve(rel)),
                    rel.toString());
            anyDiffers |=
                    !Arrays.equals(
                            Files.readAllBytes(f),
                            Files.readAllBytes(tmp.resolve("c").resolve(rel)));
        }
        assertTrue(anyDiffers, "seed 8 should give other images than seed 7");
    }

    @Test
    void labelsAreTheTightBoxesOfTheDrawnPixels() throws Exception {
        SyntheticShapes.Options opts = new SyntheticShapes.Options(6, 0, 96, 3, ".png");
        SyntheticShapes.Written w =
                SyntheticShapes.write(TestFiles.hadoop(tmp), opts, new Configuration());
        int checked = 0;
        for (int i = 0; i < 6; i++) {
            String stem = String.format("%06d", i);
            Mat img = Imgcodecs.imread(tmp.resolve("images/train/" + stem + ".png").toString());
            List<String> lines = Files.readAllLines(tmp.resolve("labels/train/" + stem + ".txt"));
            try (SyntheticShapes.Rendered r = SyntheticShapes.render("train", i, opts)) {
                assertEquals(r.shapes().size(), lines.size());
                for (int k = 0; k < lines.size(); k++) {
                    SyntheticShapes.Shape shape = r.shapes().get(k);
                    String[] t = lines.get(k).split(" ");
                    assertEquals(shape.cls(), Integer.parseInt(t[0]));
                    // pixels of exactly the shape's colour near its box, read back from the written
                    // PNG
                    Rect around = grow(shape.box(), 3, img.cols(), img.rows());
                    Mat roi = img.submat(around);
                    Mat hit = new Mat();
                    Core.inRange(roi, shape.color(), shape.color(), hit);
                    Rect drawn = org.opencv.imgproc.Imgproc.boundingRect(hit);
                    Rect expected =
                            new Rect(
                                    drawn.x + around.x,
                                    drawn.y + around.y,
                                    drawn.width,
                                    drawn.height);
                    assertEquals(expected, shape.box(), "image " + i + " shape " + k);
                    // the label line, denormalized, is that box to within the 6-decimal rounding
                    double cx = Double.parseDouble(t[1]) * img.cols(),
                            cy = Double.parseDouble(t[2]) * img.rows();
                    double bw = Double.parseDouble(t[3]) * img.cols(),
                            bh = Double.parseDouble(t[4]) * img.rows();
                    assertEquals(expected.x, cx - bw / 2, 1e-3);
                    assertEquals(expected.y, cy - bh / 2, 1e-3);
                    assertEquals(expected.width, bw, 1e-3);
                    assertEquals(expected.height, bh, 1e-3);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 6, "at least one shape per image");
        assertEquals(checked, w.boxes());
        assertEquals(
                List.of("circle", "rectangle", "triangle"),
                DatasetConfig.load(TestFiles.hadoop(tmp.resolve("data.yaml")), new Configuration())
                        .names());
    }

    private static Rect grow(Rect r, int m, int w, int h) {
        int x = Math.max(0, r.x - m), y = Math.max(0, r.y - m);
        return new Rect(
                x, y, Math.min(w, r.x + r.width + m) - x, Math.min(h, r.y + r.height + m) - y);
    }

    private static List<Path> listFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void everyClassAppearsAndObjectCountsStayInRange() {
        SyntheticShapes.Options opts = new SyntheticShapes.Options(30, 0, 64, 0, ".png");
        boolean[] seen = new boolean[3];
        for (int i = 0; i < 30; i++) {
            try (SyntheticShapes.Rendered r = SyntheticShapes.render("train", i, opts)) {
                assertTrue(
                        r.shapes().size() >= 1 && r.shapes().size() <= 6,
                        "objects: " + r.shapes().size());
                assertEquals(64, Math.max(r.image().cols(), r.image().rows()));
                r.shapes().forEach(s -> seen[s.cls()] = true);
            }
        }
        assertFalse(!seen[0] || !seen[1] || !seen[2], Arrays.toString(seen));
    }
}
