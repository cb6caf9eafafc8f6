package io.prunesweep.data;

import java.util.SplittableRandom;
import org.opencv.core.Core;
import org.opencv.core.Mat;

/**
 * Turns one dataset index into a square {@code imgsz} BGR image with pixel boxes.
 *
 * <p>Training follows ultralytics {@code v8_transforms}: Mosaic (with probability {@code mosaic})
 * then RandomPerspective with the mosaic border, or LetterBox then RandomPerspective without
 * border; then RandomHSV, vertical and horizontal RandomFlip. (MixUp, CopyPaste default to 0 and
 * Albumentations is optional upstream; none is implemented.) Mosaic partners are drawn uniformly
 * from the whole dataset, as ultralytics does with the RAM cache. Validation is LetterBox only
 * (gray 114, no upscaling, centered).
 */
final class SampleTransform {
    record Sample(Mat image, Boxes boxes, ImageInfo info) implements AutoCloseable {
        @Override
        public void close() {
            image.release();
        }
    }

    private final ImageSource source;
    private final int imgsz;
    private final AugmentConfig cfg;
    private final RandomAffine affine;
    private final RandomHsv hsv;

    SampleTransform(ImageSource source, int imgsz, AugmentConfig cfg) {
        this.source = source;
        this.imgsz = imgsz;
        this.cfg = cfg;
        this.affine = new RandomAffine(cfg);
        this.hsv = new RandomHsv(cfg);
    }

    Sample train(int index, boolean mosaicOn, SplittableRandom rng) {
        RandomAffine.Result warped;
        ImageInfo info;
        // BaseMixTransform: `if random.uniform(0, 1) > p: skip`
        boolean mosaic = mosaicOn && !(rng.nextDouble() > cfg.mosaic());
        if (mosaic) {
            LoadedImage[] imgs = new LoadedImage[4];
            float[][] rows = new float[4][];
            try {
                for (int k = 0; k < 4; k++) {
                    int j = k == 0 ? index : rng.nextInt(source.size());
                    imgs[k] = source.load(j);
                    rows[k] = source.labels(j);
                }
                info = trainInfo(index, imgs[0]);
                Mosaic.Result m = Mosaic.build(imgs, rows, imgsz, rng);
                warped = affine.apply(m.image(), m.boxes(), Math.floorDiv(-imgsz, 2), rng);
                m.image().release();
            } finally {
                for (LoadedImage im : imgs) {
                    if (im != null) {
                        im.close();
                    }
                }
            }
        } else {
            try (LoadedImage img = source.load(index)) {
                info = trainInfo(index, img);
                LetterBox lb = LetterBox.compute(img.h(), img.w(), imgsz, imgsz, true, true);
                Mat boxed = lb.apply(img.bgr());
                Boxes boxes =
                        lb.apply(
                                Boxes.fromNormalized(source.labels(index), img.w(), img.h(), 0, 0));
                warped = affine.apply(boxed, boxes, 0, rng);
                boxed.release();
            }
        }
        Mat image = warped.image();
        Boxes boxes = warped.boxes();
        hsv.apply(image, rng);
        if (rng.nextDouble() < cfg.flipud()) {
            Core.flip(image, image, 0);
            boxes = boxes.flippedY(image.rows());
        }
        if (rng.nextDouble() < cfg.fliplr()) {
            Core.flip(image, image, 1);
            boxes = boxes.flippedX(image.cols());
        }
        return new Sample(image, boxes, info);
    }

    Sample val(int index) {
        try (LoadedImage img = source.load(index)) {
            LetterBox lb = LetterBox.compute(img.h(), img.w(), imgsz, imgsz, false, true);
            Mat boxed = lb.apply(img.bgr());
            Boxes boxes =
                    lb.apply(Boxes.fromNormalized(source.labels(index), img.w(), img.h(), 0, 0));
            ImageInfo info =
                    new ImageInfo(
                            source.entry(index).image().toString(),
                            img.origH(),
                            img.origW(),
                            lb.ratio() * img.w() / img.origW(),
                            lb.ratio() * img.h() / img.origH(),
                            lb.left(),
                            lb.top());
            return new Sample(boxed, boxes, info);
        }
    }

    /**
     * Augmented images have no single mapping back; like ultralytics we only record the load-time
     * resize.
     */
    private ImageInfo trainInfo(int index, LoadedImage img) {
        return new ImageInfo(
                source.entry(index).image().toString(),
                img.origH(),
                img.origW(),
                (double) img.w() / img.origW(),
                (double) img.h() / img.origH(),
                0,
                0);
    }
}
