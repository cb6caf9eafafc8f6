package io.prunesweep.data;

import java.util.ArrayList;
import java.util.List;

/**
 * What the scan of one split found: usable images and boxes, and every problem it skipped (never fatal), with up
 * to a few example messages naming {@code file:line}.
 *
 * <p>Rules (ultralytics {@code verify_image_label} rejects a whole image for any bad line; we drop only the line):
 * unreadable or truncated images are skipped; a label line is skipped when malformed (not {@code cls cx cy w h}
 * numbers, a non-integer or negative class, or a polygon with an odd coordinate count), when its class is
 * {@code >= nc}, when any coordinate lies outside [0, 1] (like ultralytics: no clipping of non-normalized
 * values), or when its box has zero width or height; exact duplicate lines are dropped; a missing or empty label
 * file makes a background image, which is kept.
 */
public record DatasetReport(
        String split,
        int images,
        int backgrounds,
        int boxes,
        int unreadable,
        int truncated,
        int malformed,
        int classOutOfRange,
        int outOfRange,
        int zeroArea,
        int duplicates,
        List<String> examples) {

    public DatasetReport {
        examples = List.copyOf(examples);
    }

    public int skippedImages() {
        return unreadable + truncated;
    }

    public int skippedLines() {
        return malformed + classOutOfRange + outOfRange + zeroArea;
    }

    public boolean clean() {
        return skippedImages() == 0 && skippedLines() == 0 && duplicates == 0;
    }

    /** One line for the start of a run, e.g. {@code train: 64 images, 3 backgrounds, 150 boxes, skipped ...}. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(split).append(": ").append(images).append(" images, ").append(backgrounds).append(" backgrounds, ")
                .append(boxes).append(" boxes");
        if (clean()) {
            return s.append(", no problems").toString();
        }
        s.append(", skipped ").append(skippedImages()).append(" images (").append(unreadable).append(" unreadable, ")
                .append(truncated).append(" truncated), ").append(skippedLines()).append(" label lines (")
                .append(malformed).append(" malformed, ").append(classOutOfRange).append(" class>=nc, ")
                .append(outOfRange).append(" out of range, ").append(zeroArea).append(" zero-area), ")
                .append(duplicates).append(" duplicate boxes");
        return s.toString();
    }

    /** Collects counts while scanning; problems are added in dataset order so examples are deterministic. */
    public static final class Builder {
        private final String split;
        private final int maxExamples;
        private final List<String> examples = new ArrayList<>();
        int images, backgrounds, boxes, unreadable, truncated, malformed, classOutOfRange, outOfRange, zeroArea,
                duplicates;

        public Builder(String split, int maxExamples) {
            this.split = split;
            this.maxExamples = maxExamples;
        }

        void example(String message) {
            if (examples.size() < maxExamples) {
                examples.add(message);
            }
        }

        void add(Builder other) {
            images += other.images;
            backgrounds += other.backgrounds;
            boxes += other.boxes;
            unreadable += other.unreadable;
            truncated += other.truncated;
            malformed += other.malformed;
            classOutOfRange += other.classOutOfRange;
            outOfRange += other.outOfRange;
            zeroArea += other.zeroArea;
            duplicates += other.duplicates;
            other.examples.forEach(this::example);
        }

        public DatasetReport build() {
            return new DatasetReport(split, images, backgrounds, boxes, unreadable, truncated, malformed,
                    classOutOfRange, outOfRange, zeroArea, duplicates, examples);
        }
    }
}
