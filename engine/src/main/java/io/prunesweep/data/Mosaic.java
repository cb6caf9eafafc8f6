package io.prunesweep.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;

/**
 * ultralytics {@code Mosaic} (2x2): four images placed around a random center inside a {@code 2s x
 * 2s} gray canvas; boxes shifted with their tiles, clipped to the canvas, zero-area boxes removed.
 */
final class Mosaic {
    private Mosaic() {}

    record Result(Mat image, Boxes boxes) {}

    /**
     * {@code images[i]} are resized so the long side is {@code s}; {@code rows[i]} their normalized
     * labels.
     */
    static Result build(LoadedImage[] images, float[][] rows, int s, SplittableRandom rng) {
        int border = Math.floorDiv(-s, 2); // Python's -imgsz // 2
        int yc = (int) Seeds.uniform(rng, -border, 2 * s + border);
        int xc = (int) Seeds.uniform(rng, -border, 2 * s + border);
        Mat canvas = new Mat(2 * s, 2 * s, CvType.CV_8UC3, LetterBox.PAD);
        List<Boxes> parts = new ArrayList<>(4);
        for (int i = 0; i < 4; i++) {
            Mat img = images[i].bgr();
            int h = img.rows(), w = img.cols();
            int x1a, y1a, x2a, y2a, x1b, y1b, x2b, y2b;
            if (i == 0) { // top left
                x1a = Math.max(xc - w, 0);
                y1a = Math.max(yc - h, 0);
                x2a = xc;
                y2a = yc;
                x1b = w - (x2a - x1a);
                y1b = h - (y2a - y1a);
                x2b = w;
                y2b = h;
            } else if (i == 1) { // top right
                x1a = xc;
                y1a = Math.max(yc - h, 0);
                x2a = Math.min(xc + w, 2 * s);
                y2a = yc;
                x1b = 0;
                y1b = h - (y2a - y1a);
                x2b = Math.min(w, x2a - x1a);
                y2b = h;
            } else if (i == 2) { // bottom left
                x1a = Math.max(xc - w, 0);
                y1a = yc;
                x2a = xc;
                y2a = Math.min(2 * s, yc + h);
                x1b = w - (x2a - x1a);
                y1b = 0;
                x2b = w;
                y2b = Math.min(y2a - y1a, h);
            } else { // bottom right
                x1a = xc;
                y1a = yc;
                x2a = Math.min(xc + w, 2 * s);
                y2a = Math.min(2 * s, yc + h);
                x1b = 0;
                y1b = 0;
                x2b = Math.min(w, x2a - x1a);
                y2b = Math.min(y2a - y1a, h);
            }
            if (x2a > x1a && y2a > y1a) {
                Mat src = img.submat(new Rect(x1b, y1b, x2b - x1b, y2b - y1b));
                Mat dst = canvas.submat(new Rect(x1a, y1a, x2a - x1a, y2a - y1a));
                src.copyTo(dst);
                src.release();
                dst.release();
            }
            parts.add(Boxes.fromNormalized(rows[i], w, h, x1a - x1b, y1a - y1b));
        }
        Boxes boxes = Boxes.concat(parts).clipped(2 * s, 2 * s).withoutZeroArea();
        return new Result(canvas, boxes);
    }
}
