package io.prunesweep.data;

import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfPoint;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * A deterministic synthetic detection dataset: filled circles, rectangles and triangles (classes 0,
 * 1, 2) of random size and colour on noisy gradient backgrounds, 1-6 non-overlapping objects per
 * image. Labels are the tight boxes of the drawn pixels (measured from a mask, not computed from
 * the geometry). Layout and {@code data.yaml} follow ultralytics: {@code images/<split>/*}, {@code
 * labels/<split>/*.txt}.
 */
public final class SyntheticShapes {
    public static final List<String> NAMES = List.of("circle", "rectangle", "triangle");

    /**
     * @param train train images
     * @param val val images
     * @param imgsz long side of every image; the short side is 60-100 % of it
     * @param seed same seed, same bytes
     * @param suffix {@code .jpg} or {@code .png}
     */
    public record Options(int train, int val, int imgsz, long seed, String suffix) {
        public Options {
            if (train < 1 || val < 0 || imgsz < 32) {
                throw new IllegalArgumentException("need train >= 1, val >= 0, imgsz >= 32");
            }
            if (!suffix.equals(".jpg") && !suffix.equals(".png")) {
                throw new IllegalArgumentException("suffix must be .jpg or .png, not " + suffix);
            }
        }

        public static Options defaults() {
            return new Options(64, 16, 320, 0, ".jpg");
        }
    }

    /** One drawn object: class, BGR colour and tight pixel box {@code [x, x + w) x [y, y + h)}. */
    public record Shape(int cls, Scalar color, Rect box) {}

    /** One image before encoding. */
    public record Rendered(Mat image, List<Shape> shapes) implements AutoCloseable {
        @Override
        public void close() {
            image.release();
        }
    }

    /** What was written. */
    public record Written(Path dataYaml, int trainImages, int valImages, int boxes) {}

    private SyntheticShapes() {}

    /** Writes images, labels and {@code data.yaml} under {@code out} (any Hadoop filesystem). */
    public static Written write(Path out, Options opts, Configuration conf) throws IOException {
        int boxes = 0;
        for (String split : new String[] {"train", "val"}) {
            int n = split.equals("train") ? opts.train() : opts.val();
            for (int i = 0; i < n; i++) {
                try (Rendered r = render(split, i, opts)) {
                    String stem = String.format(Locale.ROOT, "%06d", i);
                    byte[] image = ImageCodec.encode(r.image(), opts.suffix());
                    byte[] label = labelText(r).getBytes(StandardCharsets.UTF_8);
                    FileSystems.writeAtomically(
                            new Path(out, "images/" + split + "/" + stem + opts.suffix()),
                            conf,
                            o -> o.write(image));
                    FileSystems.writeAtomically(
                            new Path(out, "labels/" + split + "/" + stem + ".txt"),
                            conf,
                            o -> o.write(label));
                    boxes += r.shapes().size();
                }
            }
        }
        StringBuilder yaml =
                new StringBuilder()
                        .append("# Synthetic shapes: prunesweep data synth --train ")
                        .append(opts.train())
                        .append(" --val ")
                        .append(opts.val())
                        .append(" --imgsz ")
                        .append(opts.imgsz())
                        .append(" --seed ")
                        .append(opts.seed())
                        .append('\n')
                        .append(
                                "# No `path`: the folder of this file is the dataset root (ultralytics does the same).\n")
                        .append("train: images/train\n");
        yaml.append(opts.val() > 0 ? "val: images/val\n" : "");
        yaml.append("names:\n");
        for (int c = 0; c < NAMES.size(); c++) {
            yaml.append("  ").append(c).append(": ").append(NAMES.get(c)).append('\n');
        }
        Path dataYaml = new Path(out, "data.yaml");
        byte[] yamlBytes = yaml.toString().getBytes(StandardCharsets.UTF_8);
        FileSystems.writeAtomically(dataYaml, conf, o -> o.write(yamlBytes));
        return new Written(dataYaml, opts.train(), opts.val(), boxes);
    }

    static String labelText(Rendered r) {
        StringBuilder s = new StringBuilder();
        double w = r.image().cols(), h = r.image().rows();
        for (Shape sh : r.shapes()) {
            Rect b = sh.box();
            s.append(
                    String.format(
                            Locale.ROOT,
                            "%d %.6f %.6f %.6f %.6f%n",
                            sh.cls(),
                            (b.x + b.width / 2.0) / w,
                            (b.y + b.height / 2.0) / h,
                            b.width / w,
                            b.height / h));
        }
        return s.toString();
    }

    /** Draws image {@code index} of {@code split}; a pure function of (seed, split, index). */
    public static Rendered render(String split, int index, Options opts) {
        OpenCvNatives.load();
        SplittableRandom rng = Seeds.random(opts.seed(), split.hashCode(), index);
        int s = opts.imgsz();
        int shortSide = (int) Math.round(s * (0.6 + 0.4 * rng.nextDouble()));
        boolean landscape = rng.nextBoolean();
        int w = landscape ? s : shortSide;
        int h = landscape ? shortSide : s;
        Scalar[] corners = new Scalar[4];
        Mat img = background(w, h, rng, corners);
        Scalar bgMean =
                new Scalar(
                        (corners[0].val[0] + corners[3].val[0]) / 2,
                        (corners[0].val[1] + corners[3].val[1]) / 2,
                        (corners[0].val[2] + corners[3].val[2]) / 2);

        Mat mask = Mat.zeros(h, w, CvType.CV_8UC1);
        List<Shape> shapes = new ArrayList<>();
        List<Rect> taken = new ArrayList<>();
        int wanted = 1 + rng.nextInt(6);
        int minSide = Math.min(w, h);
        for (int k = 0; k < wanted; k++) {
            int cls = rng.nextInt(3);
            Scalar color = contrasting(bgMean, rng);
            for (int attempt = 0; attempt < 30; attempt++) {
                int bw = (int) Math.max(8, minSide * (0.08 + 0.27 * rng.nextDouble()));
                int bh = cls == 0 ? bw : (int) Math.max(8, bw * (0.5 + rng.nextDouble()));
                if (bw >= w - 2 || bh >= h - 2) {
                    continue;
                }
                int x0 = 1 + rng.nextInt(w - bw - 1);
                int y0 = 1 + rng.nextInt(h - bh - 1);
                Rect planned = new Rect(x0 - 2, y0 - 2, bw + 4, bh + 4);
                if (taken.stream().anyMatch(t -> overlaps(t, planned))) {
                    continue;
                }
                double apex = rng.nextDouble();
                mask.setTo(new Scalar(0));
                draw(mask, cls, x0, y0, bw, bh, apex, new Scalar(255));
                Rect tight = Imgproc.boundingRect(mask);
                draw(img, cls, x0, y0, bw, bh, apex, color);
                taken.add(planned);
                shapes.add(new Shape(cls, color, tight));
                break;
            }
        }
        mask.release();
        return new Rendered(img, shapes);
    }

    private static boolean overlaps(Rect a, Rect b) {
        return a.x < b.x + b.width
                && b.x < a.x + a.width
                && a.y < b.y + b.height
                && b.y < a.y + a.height;
    }

    /**
     * Draws a filled shape inside {@code [x0, x0 + bw) x [y0, y0 + bh)}; a triangle's apex sits at
     * {@code apex}.
     */
    private static void draw(
            Mat m, int cls, int x0, int y0, int bw, int bh, double apex, Scalar color) {
        switch (cls) {
            case 0 ->
                    Imgproc.circle(
                            m,
                            new Point(x0 + bw / 2, y0 + bw / 2),
                            bw / 2,
                            color,
                            -1,
                            Imgproc.LINE_8);
            case 1 ->
                    Imgproc.rectangle(
                            m,
                            new Point(x0, y0),
                            new Point(x0 + bw - 1, y0 + bh - 1),
                            color,
                            -1,
                            Imgproc.LINE_8);
            default -> {
                int top = x0 + (int) Math.round(apex * (bw - 1));
                MatOfPoint tri =
                        new MatOfPoint(
                                new Point(top, y0),
                                new Point(x0, y0 + bh - 1),
                                new Point(x0 + bw - 1, y0 + bh - 1));
                Imgproc.fillPoly(m, List.of(tri), color, Imgproc.LINE_8);
                tri.release();
            }
        }
    }

    /** A bilinear gradient between four random corner colours plus Gaussian noise (sigma 4-12). */
    private static Mat background(int w, int h, SplittableRandom rng, Scalar[] corners) {
        Mat small = new Mat(2, 2, CvType.CV_8UC3);
        for (int i = 0; i < 4; i++) {
            corners[i] =
                    new Scalar(30 + rng.nextInt(196), 30 + rng.nextInt(196), 30 + rng.nextInt(196));
            small.put(i / 2, i % 2, corners[i].val[0], corners[i].val[1], corners[i].val[2]);
        }
        Mat grad = new Mat();
        Imgproc.resize(small, grad, new Size(w, h), 0, 0, Imgproc.INTER_LINEAR);
        Mat wide = new Mat();
        grad.convertTo(wide, CvType.CV_16SC3);
        Mat noise = new Mat(h, w, CvType.CV_16SC3);
        Core.setRNGSeed(rng.nextInt());
        double sigma = 4 + 8 * rng.nextDouble();
        Core.randn(noise, 0, sigma);
        Core.add(wide, noise, wide);
        wide.convertTo(grad, CvType.CV_8UC3); // saturates to 0..255
        small.release();
        wide.release();
        noise.release();
        return grad;
    }

    /** A colour at least 150 (sum over channels) away from the background's mean. */
    private static Scalar contrasting(Scalar bg, SplittableRandom rng) {
        Scalar c = null;
        for (int i = 0; i < 20; i++) {
            c = new Scalar(rng.nextInt(256), rng.nextInt(256), rng.nextInt(256));
            double d =
                    Math.abs(c.val[0] - bg.val[0])
                            + Math.abs(c.val[1] - bg.val[1])
                            + Math.abs(c.val[2] - bg.val[2]);
            if (d >= 150) {
                break;
            }
        }
        return c;
    }
}
