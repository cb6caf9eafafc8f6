package io.prunesweep.data;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Parses one YOLO label file ({@code cls cx cy w h} per line, or {@code cls x1 y1 x2 y2 ...}
 * polygons, which become their bounding box as in ultralytics' {@code segments2boxes}) and drops
 * bad lines, counting each reason in the report builder. See {@link DatasetReport} for the rules.
 */
final class LabelParser {
    private LabelParser() {}

    /** Returns the kept rows {@code (cls, cx, cy, w, h)} as a flat array. */
    static float[] parse(String text, int nc, String file, DatasetReport.Builder report) {
        String[] lines = (text.startsWith("\uFEFF") ? text.substring(1) : text).split("\\R");
        float[] rows = new float[lines.length * 5];
        int n = 0;
        Set<String> seen = new HashSet<>();
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln].strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + ":" + (ln + 1) + ": ";
            String[] tok = line.split("\\s+");
            float[] v = new float[tok.length];
            boolean numeric = tok.length == 5 || (tok.length >= 7 && tok.length % 2 == 1);
            for (int i = 0; numeric && i < tok.length; i++) {
                try {
                    v[i] = Float.parseFloat(tok[i]);
                    numeric = Float.isFinite(v[i]);
                } catch (NumberFormatException e) {
                    numeric = false;
                }
            }
            if (!numeric || v[0] < 0 || v[0] != Math.rint(v[0])) {
                report.malformed++;
                report.example(
                        where
                                + "malformed, expected 'class cx cy w h' (class a non-negative integer): '"
                                + abbreviate(line)
                                + "'");
                continue;
            }
            if (v[0] >= nc) {
                report.classOutOfRange++;
                report.example(where + "class " + (int) v[0] + " >= nc " + nc + ", line skipped");
                continue;
            }
            boolean inRange = true;
            for (int i = 1; i < v.length; i++) {
                inRange &= v[i] >= 0f && v[i] <= 1f;
            }
            if (!inRange) {
                report.outOfRange++;
                report.example(
                        where
                                + "coordinates outside [0, 1] (labels must be normalized): '"
                                + abbreviate(line)
                                + "'");
                continue;
            }
            float[] box = tok.length == 5 ? new float[] {v[1], v[2], v[3], v[4]} : polygonBox(v);
            if (box[2] <= 0f || box[3] <= 0f) {
                report.zeroArea++;
                report.example(where + "zero-area box, line skipped");
                continue;
            }
            String key = (int) v[0] + " " + Arrays.toString(box);
            if (!seen.add(key)) {
                report.duplicates++;
                report.example(where + "duplicate box dropped");
                continue;
            }
            rows[n * 5] = v[0];
            System.arraycopy(box, 0, rows, n * 5 + 1, 4);
            n++;
        }
        return Arrays.copyOf(rows, n * 5);
    }

    /** Bounding box {@code (cx, cy, w, h)} of polygon points {@code v[1..]}. */
    private static float[] polygonBox(float[] v) {
        float x1 = Float.MAX_VALUE,
                y1 = Float.MAX_VALUE,
                x2 = -Float.MAX_VALUE,
                y2 = -Float.MAX_VALUE;
        for (int i = 1; i + 1 < v.length; i += 2) {
            x1 = Math.min(x1, v[i]);
            x2 = Math.max(x2, v[i]);
            y1 = Math.min(y1, v[i + 1]);
            y2 = Math.max(y2, v[i + 1]);
        }
        return new float[] {(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1};
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
