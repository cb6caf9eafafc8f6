package io.prunesweep.data;

import java.util.SplittableRandom;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * ultralytics {@code RandomPerspective} for boxes: {@code M = T * S * R * P * C} (center,
 * perspective, rotation and scale, shear, translation) applied with one {@code warpAffine} (or
 * {@code warpPerspective}), boxes through their four corners, clipped, then filtered by {@link
 * #boxCandidates}.
 */
final class RandomAffine {
    private final AugmentConfig cfg;

    RandomAffine(AugmentConfig cfg) {
        this.cfg = cfg;
    }

    record Result(Mat image, Boxes boxes) {}

    /**
     * @param border negative to crop (mosaic: {@code -imgsz/2} each side), 0 to keep the size
     * @return a new image of size {@code (w + 2*border, h + 2*border)}; the input is not modified
     */
    Result apply(Mat img, Boxes boxes, int border, SplittableRandom rng) {
        int outW = img.cols() + 2 * border;
        int outH = img.rows() + 2 * border;
        double[] c = {1, 0, -img.cols() / 2.0, 0, 1, -img.rows() / 2.0, 0, 0, 1};
        double[] p = {
            1,
            0,
            0,
            0,
            1,
            0,
            Seeds.uniform(rng, -cfg.perspective(), cfg.perspective()),
            Seeds.uniform(rng, -cfg.perspective(), cfg.perspective()),
            1
        };
        double a = Math.toRadians(Seeds.uniform(rng, -cfg.degrees(), cfg.degrees()));
        double s = Seeds.uniform(rng, 1 - cfg.scale(), 1 + cfg.scale());
        // cv2.getRotationMatrix2D(center=(0, 0), angle, scale)
        double alpha = s * Math.cos(a), beta = s * Math.sin(a);
        double[] r = {alpha, beta, 0, -beta, alpha, 0, 0, 0, 1};
        double[] sh = {
            1,
            Math.tan(Math.toRadians(Seeds.uniform(rng, -cfg.shear(), cfg.shear()))),
            0,
            Math.tan(Math.toRadians(Seeds.uniform(rng, -cfg.shear(), cfg.shear()))),
            1,
            0,
            0,
            0,
            1
        };
        double[] t = {
            1,
            0,
            Seeds.uniform(rng, 0.5 - cfg.translate(), 0.5 + cfg.translate()) * outW,
            0,
            1,
            Seeds.uniform(rng, 0.5 - cfg.translate(), 0.5 + cfg.translate()) * outH,
            0,
            0,
            1
        };
        double[] m = mul(t, mul(sh, mul(r, mul(p, c))));

        Mat out;
        if (border != 0 || !isIdentity(m)) {
            out = new Mat();
            Size size = new Size(outW, outH);
            if (cfg.perspective() != 0) {
                Mat mm = new Mat(3, 3, CvType.CV_64F);
                mm.put(0, 0, m);
                Imgproc.warpPerspective(img, out, mm, size, Imgproc.INTER_LINEAR, 0, LetterBox.PAD);
                mm.release();
            } else {
                Mat mm = new Mat(2, 3, CvType.CV_64F);
                mm.put(0, 0, m[0], m[1], m[2], m[3], m[4], m[5]);
                Imgproc.warpAffine(img, out, mm, size, Imgproc.INTER_LINEAR, 0, LetterBox.PAD);
                mm.release();
            }
        } else {
            out = img.clone();
        }
        Boxes moved = transform(boxes, m, cfg.perspective() != 0).clipped(outW, outH);
        Boxes before = boxes.scaled((float) s, (float) s, 0, 0);
        return new Result(out, moved.select(boxCandidates(before, moved, 2, 100, 0.10)));
    }

    /** Each box's four corners through {@code m}, then their enclosing box. */
    static Boxes transform(Boxes boxes, double[] m, boolean perspective) {
        float[] in = boxes.xyxy();
        float[] out = new float[in.length];
        double[] xs = new double[4];
        double[] ys = new double[4];
        for (int i = 0; i < boxes.n(); i++) {
            double x1 = in[4 * i], y1 = in[4 * i + 1], x2 = in[4 * i + 2], y2 = in[4 * i + 3];
            double[][] corners = {{x1, y1}, {x2, y2}, {x1, y2}, {x2, y1}};
            for (int k = 0; k < 4; k++) {
                double x = corners[k][0], y = corners[k][1];
                double z = perspective ? m[6] * x + m[7] * y + m[8] : 1;
                xs[k] = (m[0] * x + m[1] * y + m[2]) / z;
                ys[k] = (m[3] * x + m[4] * y + m[5]) / z;
            }
            out[4 * i] = (float) Math.min(Math.min(xs[0], xs[1]), Math.min(xs[2], xs[3]));
            out[4 * i + 1] = (float) Math.min(Math.min(ys[0], ys[1]), Math.min(ys[2], ys[3]));
            out[4 * i + 2] = (float) Math.max(Math.max(xs[0], xs[1]), Math.max(xs[2], xs[3]));
            out[4 * i + 3] = (float) Math.max(Math.max(ys[0], ys[1]), Math.max(ys[2], ys[3]));
        }
        return new Boxes(boxes.cls().clone(), out);
    }

    /**
     * ultralytics {@code box_candidates}: keep a box when it is wider and taller than {@code whThr}
     * pixels, kept more than {@code areaThr} of its (scale-adjusted) area, and its aspect ratio
     * stays below {@code arThr}.
     */
    static boolean[] boxCandidates(
            Boxes before, Boxes after, double whThr, double arThr, double areaThr) {
        final double eps = 1e-16;
        boolean[] keep = new boolean[after.n()];
        float[] b1 = before.xyxy();
        float[] b2 = after.xyxy();
        for (int i = 0; i < keep.length; i++) {
            double w1 = b1[4 * i + 2] - b1[4 * i], h1 = b1[4 * i + 3] - b1[4 * i + 1];
            double w2 = b2[4 * i + 2] - b2[4 * i], h2 = b2[4 * i + 3] - b2[4 * i + 1];
            double ar = Math.max(w2 / (h2 + eps), h2 / (w2 + eps));
            keep[i] = w2 > whThr && h2 > whThr && w2 * h2 / (w1 * h1 + eps) > areaThr && ar < arThr;
        }
        return keep;
    }

    private static boolean isIdentity(double[] m) {
        return m[0] == 1 && m[1] == 0 && m[2] == 0 && m[3] == 0 && m[4] == 1 && m[5] == 0
                && m[6] == 0 && m[7] == 0 && m[8] == 1;
    }

    /** 3x3 row-major product. */
    static double[] mul(double[] x, double[] y) {
        double[] z = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                z[3 * i + j] = x[3 * i] * y[j] + x[3 * i + 1] * y[3 + j] + x[3 * i + 2] * y[6 + j];
            }
        }
        return z;
    }
}
