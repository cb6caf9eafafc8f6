package io.prunesweep.data;

import java.util.SplittableRandom;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

/**
 * ultralytics {@code RandomHSV} (8.3.79+): random gains {@code r = U(-1, 1) * (h, s, v)}; hue
 * shifted by {@code r0 * 180} modulo 180, saturation and value scaled by {@code 1 + r}; applied
 * through one 3-channel LUT between {@code BGR2HSV} and {@code HSV2BGR} conversions.
 */
final class RandomHsv {
    private final double hgain, sgain, vgain;

    RandomHsv(AugmentConfig cfg) {
        this.hgain = cfg.hsvH();
        this.sgain = cfg.hsvS();
        this.vgain = cfg.hsvV();
    }

    /** Modifies {@code bgr} in place. */
    void apply(Mat bgr, SplittableRandom rng) {
        if (hgain == 0 && sgain == 0 && vgain == 0) {
            return;
        }
        double r0 = Seeds.uniform(rng, -1, 1) * hgain;
        double r1 = Seeds.uniform(rng, -1, 1) * sgain;
        double r2 = Seeds.uniform(rng, -1, 1) * vgain;
        byte[] table = new byte[256 * 3];
        for (int x = 0; x < 256; x++) {
            double hue = (x + r0 * 180) % 180;
            table[3 * x] = (byte) (int) (hue < 0 ? hue + 180 : hue);
            table[3 * x + 1] = (byte) (int) Math.min(Math.max(x * (r1 + 1), 0), 255);
            table[3 * x + 2] = (byte) (int) Math.min(Math.max(x * (r2 + 1), 0), 255);
        }
        table[1] = 0; // lut_sat[0] = 0: keeps pure grays gray
        Mat lut = new Mat(1, 256, CvType.CV_8UC3);
        lut.put(0, 0, table);
        Mat hsv = new Mat();
        Imgproc.cvtColor(bgr, hsv, Imgproc.COLOR_BGR2HSV);
        Core.LUT(hsv, lut, hsv);
        Imgproc.cvtColor(hsv, bgr, Imgproc.COLOR_HSV2BGR);
        hsv.release();
        lut.release();
    }
}
