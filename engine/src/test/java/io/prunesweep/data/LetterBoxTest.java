package io.prunesweep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

class LetterBoxTest {
    @Test
    void padsTheShortSideEvenlyWithPythonRounding() {
        LetterBox lb = LetterBox.compute(480, 640, 640, 640, true, true);
        assertEquals(new LetterBox(640, 640, 1.0, 640, 480, 80, 80, 0, 0), lb);
        // odd padding: 159 rows split 79 top / 80 bottom (round(79.5 -/+ 0.1))
        LetterBox odd = LetterBox.compute(481, 640, 640, 640, true, true);
        assertEquals(79, odd.top());
        assertEquals(80, odd.bottom());
        // scaling: 1000x500 into 640 -> r 0.64, 320 wide, 160 each side
        assertEquals(
                new LetterBox(640, 640, 0.64, 320, 640, 0, 0, 160, 160),
                LetterBox.compute(1000, 500, 640, 640, true, true));
        // Python rounds half to even: 25 * 0.5 = 12.5 -> 12 (Math.round would give 13)
        assertEquals(12, LetterBox.compute(100, 25, 50, 50, true, true).unpadW());
        // no upscaling in validation
        LetterBox small = LetterBox.compute(100, 200, 640, 640, false, true);
        assertEquals(1.0, small.ratio());
        assertEquals(270, small.top()); // (640 - 100) / 2
        assertEquals(220, small.left()); // (640 - 200) / 2
    }

    @Test
    void imageAndBoxesMoveTogether() {
        OpenCvNatives.load();
        Mat img = new Mat(50, 100, CvType.CV_8UC3, new Scalar(0, 0, 0));
        LetterBox lb = LetterBox.compute(50, 100, 64, 64, true, true);
        Mat out = lb.apply(img);
        assertEquals(64, out.rows());
        assertEquals(64, out.cols());
        assertEquals(114.0, out.get(0, 0)[0]); // gray padding on top
        assertEquals(0.0, out.get(32, 32)[0]);
        Boxes b = lb.apply(new Boxes(new float[] {1}, new float[] {0, 0, 100, 50}));
        assertArrayEquals(new float[] {0, 16, 64, 48}, b.xyxy(), 1e-4f);
        out.release();
        img.release();
    }

    @Test
    void imageInfoMapsLetterboxedBoxesBackToOriginalPixels() {
        // 1000x500 original, loaded at long side 640 (640x320), letterboxed into 640x640: pad 160
        // top
        ImageInfo info = new ImageInfo("x.jpg", 500, 1000, 0.64, 0.64, 0, 160);
        assertArrayEquals(
                new float[] {100, 50, 500, 500},
                info.toOriginal(new float[] {64, 192, 320, 480}),
                1e-3f);
        // clipped to the image
        assertArrayEquals(
                new float[] {0, 0, 1000, 500},
                info.toOriginal(new float[] {-5, 100, 700, 700}),
                1e-3f);
    }
}
