package io.prunesweep.notebooks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The column tables of spark-jobs/SCHEMA.md: for each "## `table`" section, the names in the first
 * cell of every row ("a, b" lists several; "after_params ... after_fps (same nine)" repeats the row
 * above it with the prefix exchanged).
 */
final class SchemaDoc {
    private static final Pattern SECTION = Pattern.compile("^## `(\\w+)`\\s*$");
    private static final Pattern ROW = Pattern.compile("^\\|([^|]+)\\|.*\\|\\s*$");

    private SchemaDoc() {}

    static Map<String, Set<String>> tables(Path schemaMd) throws IOException {
        Map<String, Set<String>> tables = new LinkedHashMap<>();
        Set<String> current = null;
        List<String> previousRow = List.of();
        for (String line : Files.readAllLines(schemaMd)) {
            Matcher section = SECTION.matcher(line);
            if (section.matches()) {
                current = new LinkedHashSet<>();
                tables.put(section.group(1), current);
                continue;
            }
            if (line.startsWith("## ")) {
                current = null;
            }
            Matcher row = ROW.matcher(line);
            if (current == null || !row.matches()) {
                continue;
            }
            String cell = row.group(1).strip();
            if (cell.equals("column") || cell.startsWith("---")) {
                continue;
            }
            List<String> names =
                    cell.contains("...") ? sameAsAbove(cell, previousRow) : split(cell);
            current.addAll(names);
            previousRow = names;
        }
        return tables;
    }

    private static List<String> split(String cell) {
        List<String> out = new ArrayList<>();
        for (String part : cell.split(",")) {
            out.add(part.replace("`", "").strip());
        }
        return out;
    }

    /** "after_params ... after_fps (same nine)" after a row "before_params, ..., before_fps". */
    private static List<String> sameAsAbove(String cell, List<String> above) {
        String first = cell.substring(0, cell.indexOf("...")).strip();
        String firstSuffix =
                above.isEmpty() ? null : above.get(0).substring(above.get(0).indexOf('_'));
        if (firstSuffix == null || !first.endsWith(firstSuffix)) {
            throw new IllegalArgumentException(
                    "SCHEMA.md row '" + cell + "' does not repeat the row above " + above);
        }
        String prefix = first.substring(0, first.length() - firstSuffix.length());
        String abovePrefix = above.get(0).substring(0, above.get(0).indexOf('_'));
        return above.stream().map(n -> prefix + n.substring(abovePrefix.length())).toList();
    }
}
