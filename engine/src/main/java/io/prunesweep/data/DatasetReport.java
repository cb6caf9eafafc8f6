package io.prunesweep.data;

import java.util.ArrayList;
import java.util.List;

/**
 * What the scan of one split found: usable images and boxes, and every problem it skipped (never
 * fatal), with up to a few example messages naming {@code file:line}.
 *
 * <p>Rules (ultralytics {@code verify_image_label} rejects a whole image for any bad line; we drop
 * only the line): unreadable or truncated images are skipped; a label line is skipped when
 * malformed (not {@code cls cx cy w h} numbers, a non-integer or negative class, or a polygon with
 * an odd coordinate count), when its class is {@code >= nc}, when any coordinate lies outside [0,
 * 1] (like ultralytics: no clipping of non-normalized values), or when its box has zero width or
 * height; exact duplicate lines are dropped; a missing or empty label file makes a background
 * image, which is kept.
 *
 * <p>Backgrounds are legitimate, but a split where no image has a label file (a misnamed {@code
 * labels/} folder) or where most images are backgrounds trains a model that finds nothing: {@link
 * #warnings()} says so loudly.
 *
 * @param labelFiles images that had a label file at the ultralytics place ({@code images/} → {@code
 *     labels/})
 * @param unreadableLabels label files that exist but could not be read (the image is kept as a
 *     background)
 * @param problems every problem found, of which {@code examples} holds the first few messages
 * @param missingLabel the label file expected for the first image without one (for the warning), or
 *     null
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
        int labelFiles,
        int unreadableLabels,
        int problems,
        String missingLabel,
        List<String> examples) {

    /** Above this share of backgrounds a split is reported as suspicious. */
    public static final double MAX_BACKGROUND_SHARE = 0.5;

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
        return skippedImages() == 0
                && skippedLines() == 0
                && duplicates == 0
                && unreadableLabels == 0;
    }

    /**
     * Something was skipped (an image, a label line or a whole label file): the data is not what
     * was written.
     */
    public boolean skippedAnything() {
        return skippedImages() > 0 || skippedLines() > 0 || unreadableLabels > 0;
    }

    /** Problems found beyond the {@link #examples()} kept. */
    public int moreProblems() {
        return Math.max(0, problems - examples.size());
    }

    /**
     * True when no image of the split has a label file: almost always a misnamed or missing labels
     * folder.
     */
    public boolean noLabelFiles() {
        return images > 0 && labelFiles == 0;
    }

    /**
     * Loud warnings, one line each (empty when the split looks sane): no label file at all, or more
     * than half the images without a box.
     */
    public List<String> warnings() {
        List<String> w = new ArrayList<>();
        if (noLabelFiles()) {
            w.add(
                    "warning: "
                            + split
                            + ": none of the "
                            + images
                            + " images has a label file (the first expected at "
                            + missingLabel
                            + "); labels must sit in a labels/ folder beside images/, named like the images."
                            + " Every image counts as a background");
        } else if (images > 0 && backgrounds > MAX_BACKGROUND_SHARE * images) {
            w.add(
                    String.format(
                            java.util.Locale.ROOT,
                            "warning: %s: %d of %d images (%.0f %%) are backgrounds"
                                    + " (no boxes)%s; check the labels",
                            split,
                            backgrounds,
                            images,
                            100.0 * backgrounds / images,
                            missingLabel == null ? "" : ", e.g. no " + missingLabel));
        }
        return w;
    }

    /**
     * Totals per reason, one line each, only the reasons that occurred (for {@code data check}).
     */
    public List<String> totals() {
        List<String> t = new ArrayList<>();
        total(t, unreadable, "unreadable image", "skipped");
        total(t, truncated, "truncated image", "skipped");
        total(t, unreadableLabels, "unreadable label file", "image kept as background");
        total(t, malformed, "malformed label line", "skipped");
        total(t, classOutOfRange, "label line with class >= nc", "skipped");
        total(t, outOfRange, "label line with coordinates outside [0, 1]", "skipped");
        total(t, zeroArea, "zero-area box", "skipped");
        total(t, duplicates, "duplicate box", "dropped");
        return t;
    }

    private static void total(List<String> t, int n, String what, String done) {
        if (n > 0) {
            t.add(n + " x " + what + " (" + done + ")");
        }
    }

    /**
     * One line for the start of a run, e.g. {@code train: 64 images, 3 backgrounds, 150 boxes,
     * skipped ...}.
     */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(split)
                .append(": ")
                .append(images)
                .append(" images, ")
                .append(backgrounds)
                .append(" backgrounds, ")
                .append(boxes)
                .append(" boxes");
        if (noLabelFiles()) {
            s.append(", NO LABEL FILES");
        }
        if (clean()) {
            return s.append(noLabelFiles() ? "" : ", no problems").toString();
        }
        s.append(", skipped ")
                .append(skippedImages())
                .append(" images (")
                .append(unreadable)
                .append(" unreadable, ")
                .append(truncated)
                .append(" truncated), ")
                .append(skippedLines())
                .append(" label lines (")
                .append(malformed)
                .append(" malformed, ")
                .append(classOutOfRange)
                .append(" class>=nc, ")
                .append(outOfRange)
                .append(" out of range, ")
                .append(zeroArea)
                .append(" zero-area), ")
                .append(duplicates)
                .append(" duplicate boxes");
        if (unreadableLabels > 0) {
            s.append(", ").append(unreadableLabels).append(" unreadable label files");
        }
        return s.toString();
    }

    /**
     * Collects counts while scanning; problems are added in dataset order so examples are
     * deterministic.
     */
    public static final class Builder {
        private final String split;
        private final int maxExamples;
        private final List<String> examples = new ArrayList<>();
        int images,
                backgrounds,
                boxes,
                unreadable,
                truncated,
                malformed,
                classOutOfRange,
                outOfRange,
                zeroArea,
                duplicates,
                labelFiles,
                unreadableLabels,
                problems;
        String missingLabel;

        public Builder(String split, int maxExamples) {
            this.split = split;
            this.maxExamples = maxExamples;
        }

        void example(String message) {
            problems++;
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
            labelFiles += other.labelFiles;
            unreadableLabels += other.unreadableLabels;
            if (missingLabel == null) {
                missingLabel = other.missingLabel;
            }
            // the other's examples are its first problems; its count covers the ones it did not
            // keep
            int before = problems;
            other.examples.forEach(this::example);
            problems = before + other.problems;
        }

        public DatasetReport build() {
            return new DatasetReport(
                    split,
                    images,
                    backgrounds,
                    boxes,
                    unreadable,
                    truncated,
                    malformed,
                    classOutOfRange,
                    outOfRange,
                    zeroArea,
                    duplicates,
                    labelFiles,
                    unreadableLabels,
                    problems,
                    missingLabel,
                    examples);
        }
    }
}
