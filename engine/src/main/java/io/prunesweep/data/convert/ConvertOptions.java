package io.prunesweep.data.convert;

import io.prunesweep.InputException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@code prunesweep data convert} was asked to do.
 *
 * @param format source format
 * @param src source folder (or, for COCO, a single instances JSON), any Hadoop URI
 * @param out output folder, any Hadoop URI
 * @param classes the output classes in order, or null for the format's default
 * @param map class renames applied first ({@code Van=Car})
 * @param drop class names (after renaming) whose boxes are dropped
 * @param keepCrowd COCO: keep {@code iscrowd=1} boxes (skipped by default)
 * @param keepDifficult VOC: keep {@code difficult=1} objects (skipped by default)
 * @param valFraction share of images for val when the source has no val split
 * @param seed seed of that split
 */
public record ConvertOptions(
        Format format,
        String src,
        String out,
        List<String> classes,
        Map<String, String> map,
        Set<String> drop,
        boolean keepCrowd,
        boolean keepDifficult,
        double valFraction,
        long seed) {

    /** The source formats. */
    public enum Format {
        COCO,
        VOC,
        KITTI;

        public static Format parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InputException(
                        "--from " + s + ": unknown format; use coco, voc or kitti");
            }
        }

        public String lower() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ConvertOptions {
        classes = classes == null || classes.isEmpty() ? null : List.copyOf(classes);
        map = Map.copyOf(map == null ? Map.of() : map);
        drop = Set.copyOf(drop == null ? Set.of() : drop);
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new InputException(
                    "--val-fraction " + valFraction + " must be between 0 and 1 (exclusive)");
        }
        if (classes != null && classes.size() != Set.copyOf(classes).size()) {
            throw new InputException(
                    "--classes " + String.join(",", classes) + ": a class is named twice");
        }
    }

    /**
     * Defaults for a source: format's default classes, crowd and difficult skipped, val 20 % seeded
     * 0.
     */
    public static ConvertOptions defaults(Format format, String src, String out) {
        return new ConvertOptions(format, src, out, null, Map.of(), Set.of(), false, false, 0.2, 0);
    }

    /** Parses {@code a=b} pairs. */
    public static Map<String, String> parseMap(List<String> pairs) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        if (pairs == null) {
            return m;
        }
        for (String p : pairs) {
            String[] kv = p.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw new InputException("--map " + p + ": expected FROM=TO, e.g. Van=Car");
            }
            m.put(kv[0].strip(), kv[1].strip());
        }
        return m;
    }
}
