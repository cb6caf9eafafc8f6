package io.prunesweep.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgproc.Imgproc;

/**
 * A solid white rectangle on black: after augmentation its label box must still cover exactly its
 * pixels.
 */
class AugmentationTest {
    @TempDir static Path root;
    static YoloDataset dataset;
    static final int S = 96;

    @BeforeAll
    static void oneRectangle() throws Exception {
        OpenCvNatives.load();
        Mat img = new Mat(60, 80, CvType.CV_8UC3, new Scalar(0, 0, 0));
        Imgproc.rectangle(
                img,
                new Point(20, 10),
                new Point(49, 39),
                new Scalar(255, 255, 255),
                -1); // 30x30 px
        TestFiles.writeImage(root.resolve("images/a.png"), img);
        TestFiles.writeText(
                root.resolve("labels/a.txt"),
                String.format("0 %f %f %f %f%n", 35 / 80.0, 25 / 60.0, 30 / 80.0, 30 / 60.0));
        dataset =
                YoloDataset.scan(
                        "train",
                        List.of(TestFiles.hadoop(root.resolve("images"))),
                        List.of("box"),
                        new Configuration(),
                        1);
    }

    /** Geometry only (HSV off so "white" stays white and the gray padding stays 114). */
    private static AugmentConfig geometry(double degrees, double mosaic) {
        return new AugmentConfig(0, 0, 0, degrees, 0.1, 0.5, 0, 0, 0.5, 0.5, mosaic, 0);
    }

    @Test
    void affineAndFlipKeepTheBoxTightOnTheRectangle() {
        try (ImageSource src = new ImageSource(dataset, S)) {
            SampleTransform t = new SampleTransform(src, S, geometry(0, 0));
            int checked = 0;
            for (int seed = 0; seed < 40; seed++) {
                try (SampleTransform.Sample s = t.train(0, false, new SplittableRandom(seed))) {
                    Rect white = whiteBounds(s.image());
                    if (s.boxes().n() == 0) {
                        assertTrue(
                                white == null || white.area() < 0.1 * 30 * 30 * 1.5 * 1.5 * 1.44,
                                "box dropped although the rectangle is visible: " + white);
                        continue;
                    }
                    assertEquals(1, s.boxes().n());
                    float[] b = s.boxes().xyxy();
                    // the box is the rectangle's pixel extent to within a pixel of bilinear edge
                    assertEquals(white.x, b[0], 1.01, "seed " + seed);
                    assertEquals(white.y, b[1], 1.01, "seed " + seed);
                    assertEquals(white.x + white.width, b[2], 1.01, "seed " + seed);
                    assertEquals(white.y + white.height, b[3], 1.01, "seed " + seed);
                    checked++;
                }
            }
            assertTrue(checked > 30, "most samples keep the rectangle: " + checked);
        }
    }

    @Test
    void rotatedBoxesStillCoverEveryRectanglePixel() {
        try (ImageSource src = new ImageSource(dataset, S)) {
            SampleTransform t = new SampleTransform(src, S, geometry(30, 0));
            for (int seed = 0; seed < 20; seed++) {
                try (SampleTransform.Sample s = t.train(0, false, new SplittableRandom(seed))) {
                    if (s.boxes().n() == 1) {
                        Rect white = whiteBounds(s.image());
                        float[] b = s.boxes().xyxy();
                        assertTrue(
                                b[0] <= white.x + 1
                                        && b[1] <= white.y + 1
                                        && b[2] >= white.x + white.width - 1
                                        && b[3] >= white.y + white.height - 1,
                                "seed " + seed + " box must cover " + white);
                    }
                }
            }
        }
    }

    @Test
    void mosaicBoxesEachSitOnRectanglePixelsAndMissNone() {
        try (ImageSource src = new ImageSource(dataset, S)) {
            SampleTransform t = new SampleTransform(src, S, geometry(0, 1.0));
            int boxes = 0;
            for (int seed = 0; seed < 20; seed++) {
                try (SampleTransform.Sample s = t.train(0, true, new SplittableRandom(seed))) {
                    assertEquals(S, s.image().rows());
                    assertEquals(S, s.image().cols());
                    Mat white = new Mat();
                    Core.inRange(
                            s.image(), new Scalar(200, 200, 200), new Scalar(255, 255, 255), white);
                    int total = Core.countNonZero(white);
                    int covered = 0;
                    float[] b = s.boxes().xyxy();
                    for (int i = 0; i < s.boxes().n(); i++) {
                        Rect r =
                                new Rect(
                                        (int) Math.ceil(b[4 * i]),
                                        (int) Math.ceil(b[4 * i + 1]),
                                        (int) Math.floor(b[4 * i + 2]) - (int) Math.ceil(b[4 * i]),
                                        (int) Math.floor(b[4 * i + 3])
                                                - (int) Math.ceil(b[4 * i + 1]));
                        int inside = Core.countNonZero(white.submat(r));
                        assertTrue(
                                inside >= 0.9 * r.area(),
                                "seed " + seed + ": box " + r + " is mostly white");
                        covered += inside;
                    }
                    // pixels outside every box only from slivers box_candidates dropped (< 10 % of
                    // a box) or edges
                    assertTrue(
                            total - covered <= 0.1 * 30 * 30 * 2.25 + 4 * 2 * 45 + 20,
                            "seed "
                                    + seed
                                    + ": "
                                    + (total - covered)
                                    + " rectangle pixels outside boxes");
                    boxes += s.boxes().n();
                    white.release();
                }
            }
            assertTrue(boxes >= 20, "mosaics carry several copies of the rectangle: " + boxes);
        }
    }

    @Test
    void boxCandidatesMatchUltralyticsDocExample() {
        Boxes before = new Boxes(new float[2], new float[] {0, 0, 100, 100, 0, 0, 50, 50});
        Boxes after = new Boxes(new float[2], new float[] {10, 10, 90, 90, 5, 5, 45, 45});
        boolean[] keep = RandomAffine.boxCandidates(before, after, 2, 100, 0.1);
        assertTrue(keep[0] && keep[1]);
        Boxes thin = new Boxes(new float[2], new float[] {0, 0, 1.5f, 50, 0, 0, 20, 2.5f});
        boolean[] dropped = RandomAffine.boxCandidates(before, thin, 2, 100, 0.1);
        assertTrue(!dropped[0] && !dropped[1], "narrower than 2 px / less than 10 % of the area");
    }

    @Test
    void hsvKeepsGraysGrayAndShiftsColours() {
        AugmentConfig cfg = AugmentConfig.defaults();
        Mat img = new Mat(4, 4, CvType.CV_8UC3, new Scalar(114, 114, 114));
        img.put(0, 0, 0, 0, 200); // a red pixel
        new RandomHsv(cfg).apply(img, new SplittableRandom(1));
        double[] gray = img.get(3, 3);
        assertEquals(gray[0], gray[1]);
        assertEquals(gray[1], gray[2]);
        double[] red = img.get(0, 0);
        assertTrue(
                red[2] > red[1] && red[2] > red[0], "still red: " + java.util.Arrays.toString(red));
        img.release();
    }

    private static Rect whiteBounds(Mat img) {
        Mat white = new Mat();
        Core.inRange(img, new Scalar(128, 128, 128), new Scalar(255, 255, 255), white);
        Rect r = Core.countNonZero(white) == 0 ? null : Imgproc.boundingRect(white);
        white.release();
        return r;
    }
}
