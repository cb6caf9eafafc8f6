package io.prunesweep.data;

import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * ultralytics {@code LetterBox}: scale to fit {@code newH x newW} keeping the aspect ratio, then
 * pad with gray 114. Python's {@code round} (half to even) is reproduced with {@link Math#rint}.
 *
 * @param ratio scale applied to the image (same for x and y)
 * @param unpadW width after scaling, before padding
 * @param unpadH height after scaling, before padding
 */
public record LetterBox(
        int newH,
        int newW,
        double ratio,
        int unpadW,
        int unpadH,
        int top,
        int bottom,
        int left,
        int right) {

    public static final Scalar PAD = new Scalar(114, 114, 114);

    public static LetterBox compute(
            int h, int w, int newH, int newW, boolean scaleup, boolean center) {
        double r = Math.min((double) newH / h, (double) newW / w);
        if (!scaleup) {
            r = Math.min(r, 1.0);
        }
        int uw = (int) Math.rint(w * r);
        int uh = (int) Math.rint(h * r);
        double dw = newW - uw;
        double dh = newH - uh;
        if (center) {
            dw /= 2;
            dh /= 2;
        }
        int top = center ? (int) Math.rint(dh - 0.1) : 0;
        int bottom = (int) Math.rint(dh + 0.1);
        int left = center ? (int) Math.rint(dw - 0.1) : 0;
        int right = (int) Math.rint(dw + 0.1);
        return new LetterBox(newH, newW, r, uw, uh, top, bottom, left, right);
    }

    /** Returns a new Mat; the input is left untouched. */
    public Mat apply(Mat img) {
        Mat src = img;
        Mat resized = null;
        if (img.cols() != unpadW || img.rows() != unpadH) {
            resized = new Mat();
            Imgproc.resize(img, resized, new Size(unpadW, unpadH), 0, 0, Imgproc.INTER_LINEAR);
            src = resized;
        }
        Mat out = new Mat();
        Core.copyMakeBorder(src, out, top, bottom, left, right, Core.BORDER_CONSTANT, PAD);
        if (resized != null) {
            resized.release();
        }
        return out;
    }

    public Boxes apply(Boxes boxes) {
        return boxes.scaled((float) ratio, (float) ratio, left, top);
    }
}
