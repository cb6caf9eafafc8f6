package io.prunesweep.data.convert;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every box dropped or changed by a conversion, counted by reason (like {@code data check}'s
 * totals), and what was written.
 */
public final class ConvertReport {
    private final Map<String, Integer> counts = new TreeMap<>();
    private final Map<String, Integer> images = new TreeMap<>();
    private final Map<String, Integer> boxes = new TreeMap<>();
    private final Map<String, Integer> backgrounds = new TreeMap<>();

    void count(String reason) {
        counts.merge(reason, 1, Integer::sum);
    }

    void wrote(String split, int nBoxes) {
        images.merge(split, 1, Integer::sum);
        boxes.merge(split, nBoxes, Integer::sum);
        if (nBoxes == 0) {
            backgrounds.merge(split, 1, Integer::sum);
        }
    }

    public Map<String, Integer> counts() {
        return java.util.Collections.unmodifiableMap(counts);
    }

    public int images(String split) {
        return images.getOrDefault(split, 0);
    }

    public int boxes(String split) {
        return boxes.getOrDefault(split, 0);
    }

    /** One line per split, then {@code N x reason} per reason that occurred. */
    public List<String> lines() {
        List<String> l = new ArrayList<>();
        for (String split : List.of("train", "val")) {
            l.add(
                    split
                            + ": "
                            + images(split)
                            + " images, "
                            + backgrounds.getOrDefault(split, 0)
                            + " backgrounds, "
                            + boxes(split)
                            + " boxes");
        }
        counts.forEach((reason, n) -> l.add("  " + n + " x " + reason));
        if (counts.isEmpty()) {
            l.add("  every box kept unchanged");
        }
        return l;
    }
}
