package io.prunesweep.data;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Image bytes to OpenCV Mats and back, plus the integrity checks the dataset scan runs. */
public final class ImageCodec {
    private ImageCodec() {}

    /**
     * Decodes to an 8-bit 3-channel BGR Mat (OpenCV's order), or null when the bytes are not an
     * image.
     */
    public static Mat decodeBgr(byte[] bytes) {
        OpenCvNatives.load();
        MatOfByte buf = new MatOfByte(bytes);
        try {
            Mat img = Imgcodecs.imdecode(buf, Imgcodecs.IMREAD_COLOR);
            if (img.empty()) {
                img.release();
                return null;
            }
            return img;
        } finally {
            buf.release();
        }
    }

    /**
     * Why a file is cut short, or null. OpenCV decodes a truncated JPEG without error (libjpeg
     * fills the missing rows with gray), so we look for the end markers ourselves: JPEG's EOI
     * {@code FF D9} (a few trailing pad bytes allowed; FF D9 cannot occur inside entropy-coded
     * data) and PNG's {@code IEND} chunk.
     */
    public static String truncation(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8) {
            for (int i = b.length - 2; i >= Math.max(2, b.length - 64); i--) {
                if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xD9) {
                    return null;
                }
            }
            return "JPEG has no end-of-image marker (file cut short)";
        }
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            for (int i = b.length - 4; i >= Math.max(8, b.length - 32); i--) {
                if (b[i] == 'I' && b[i + 1] == 'E' && b[i + 2] == 'N' && b[i + 3] == 'D') {
                    return null;
                }
            }
            return "PNG has no IEND chunk (file cut short)";
        }
        return null;
    }

    /**
     * ultralytics {@code load_image}: scale so the long side is {@code imgsz} (aspect kept, sizes
     * rounded up and capped at imgsz, bilinear). Returns the input itself when it already has that
     * size.
     */
    public static Mat resizeLongSide(Mat img, int imgsz) {
        int h0 = img.rows();
        int w0 = img.cols();
        double r = (double) imgsz / Math.max(h0, w0);
        if (r == 1.0) {
            return img;
        }
        int w = Math.min((int) Math.ceil(w0 * r), imgsz);
        int h = Math.min((int) Math.ceil(h0 * r), imgsz);
        Mat out = new Mat();
        Imgproc.resize(img, out, new Size(w, h), 0, 0, Imgproc.INTER_LINEAR);
        return out;
    }

    /** Encodes by suffix ({@code .jpg}, {@code .png}, ...); JPEG at quality 95. */
    public static byte[] encode(Mat bgr, String suffix) {
        OpenCvNatives.load();
        MatOfByte buf = new MatOfByte();
        MatOfInt params =
                suffix.equalsIgnoreCase(".png")
                        ? new MatOfInt(Imgcodecs.IMWRITE_PNG_COMPRESSION, 3)
                        : new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 95);
        try {
            if (!Imgcodecs.imencode(suffix, bgr, buf, params)) {
                throw new IllegalStateException("OpenCV could not encode " + suffix);
            }
            return buf.toArray();
        } finally {
            buf.release();
            params.release();
        }
    }
}
