package io.prunesweep.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Zeppelin note (.zpln, the JSON of Zeppelin 0.11/0.12) read with Jackson. */
record ZeppelinNote(Path file, JsonNode root, List<Paragraph> paragraphs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One paragraph: {@code text} is "%interpreter\nbody"; {@code config} holds editor and chart
     * settings, {@code settings} the paragraph's dynamic forms and their current values.
     */
    record Paragraph(
            String id,
            String title,
            String interpreter,
            String body,
            JsonNode config,
            JsonNode settings) {
        boolean isSql() {
            return interpreter.equals("spark.sql");
        }

        Map<String, String> params() {
            return strings(settings.path("params"));
        }

        /** The chart of the paragraph's first result, when the note sets one. */
        Optional<JsonNode> graph() {
            JsonNode g = config.at("/results/0/graph");
            return g.isMissingNode() ? Optional.empty() : Optional.of(g);
        }

        @Override
        public String toString() {
            return "'" + title + "' (" + id + ")";
        }
    }

    static ZeppelinNote read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        List<Paragraph> paragraphs = new ArrayList<>();
        String defaultInterpreter = root.path("defaultInterpreterGroup").asText("spark");
        for (JsonNode p : root.path("paragraphs")) {
            String text = p.path("text").asText("");
            String interpreter = defaultInterpreter;
            String body = text;
            if (text.startsWith("%")) {
                int end = text.indexOf('\n');
                String first = end < 0 ? text : text.substring(0, end);
                interpreter = first.substring(1).strip();
                body = end < 0 ? "" : text.substring(end + 1);
            }
            paragraphs.add(
                    new Paragraph(
                            p.path("id").asText(null),
                            p.path("title").asText(null),
                            interpreter,
                            body,
                            p.path("config"),
                            p.path("settings")));
        }
        return new ZeppelinNote(file, root, paragraphs);
    }

    String name() {
        return root.path("name").asText(null);
    }

    /**
     * Zeppelin's file name for a note: {@code name_ID.zpln}, ID being the note's "id" (9 upper-case
     * letters and digits, as Zeppelin makes them). A notebook directory takes such files as they
     * are, without the UI import.
     */
    static final Pattern FILE_NAME = Pattern.compile("(.+)_([A-Z0-9]{9})\\.zpln");

    /**
     * The file name without {@code _ID.zpln} (without {@code .zpln} when the name is not in that
     * form).
     */
    String fileStem() {
        String f = file.getFileName().toString();
        Matcher m = FILE_NAME.matcher(f);
        if (m.matches()) {
            return m.group(1);
        }
        return f.endsWith(".zpln") ? f.substring(0, f.length() - ".zpln".length()) : f;
    }

    Map<String, String> noteParams() {
        return strings(root.path("noteParams"));
    }

    List<Paragraph> sqlParagraphs() {
        return paragraphs.stream().filter(Paragraph::isSql).toList();
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
