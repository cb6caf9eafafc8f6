package io.prunesweep.data.convert;

import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * One image of a source dataset as read, before class mapping and clipping.
 *
 * @param split "train" or "val", or null when the source has no split (a seeded split assigns one)
 * @param id the source's name for it (file stem), for split lists and messages
 * @param image the image file
 * @param width width in pixels (0 = read from the image)
 * @param height height in pixels (0 = read from the image)
 * @param boxes its objects
 */
record SourceImage(String split, String id, Path image, int width, int height, List<Box> boxes) {

    /**
     * A pixel box {@code [x1, x2) x [y1, y2)} of class {@code name}; {@code where} names it in
     * messages.
     */
    record Box(String name, double x1, double y1, double x2, double y2, String where) {}

    SourceImage withSplit(String s) {
        return new SourceImage(s, id, image, width, height, boxes);
    }

    SourceImage withSize(int w, int h) {
        return new SourceImage(split, id, image, w, h, boxes);
    }
}
