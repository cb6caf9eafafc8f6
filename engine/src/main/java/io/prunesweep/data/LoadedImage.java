package io.prunesweep.data;

import org.opencv.core.Mat;

/**
 * A decoded image resized so its long side is imgsz (BGR, 8-bit), with its original size. Images
 * owned by the caller are released on close; images shared from the RAM cache are not (and must not
 * be written to).
 */
record LoadedImage(Mat bgr, int origH, int origW, boolean owned) implements AutoCloseable {
    int h() {
        return bgr.rows();
    }

    int w() {
        return bgr.cols();
    }

    @Override
    public void close() {
        if (owned) {
            bgr.release();
        }
    }
}
