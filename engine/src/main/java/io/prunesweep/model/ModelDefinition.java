package io.prunesweep.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prunesweep.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model YAML in ultralytics form: {@code nc}, {@code scales} ({@code [depth, width,
 * max_channels]}) and the {@code backbone}/{@code head} lists of {@code [from, repeats, module,
 * args]} rows.
 *
 * @param name file stem, e.g. {@code yolov8}
 * @param source where it was read from (for messages)
 * @param variables the other top-level keys (e.g. YOLOv5's {@code anchors}); a string argument
 *     naming one of them stands for its value, as YOLOv5's {@code parse_model} evaluates it
 */
public record ModelDefinition(
        String name,
        String source,
        int nc,
        Map<String, Scale> scales,
        List<LayerDefinition> layers,
        Map<String, Object> variables) {

    private static final java.util.Set<String> STRUCTURE =
            java.util.Set.of(
                    "nc", "scales", "backbone", "head", "depth_multiple", "width_multiple");

    public ModelDefinition {
        variables =
                variables == null
                        ? Map.of()
                        : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    public ModelDefinition(
            String name,
            String source,
            int nc,
            Map<String, Scale> scales,
            List<LayerDefinition> layers) {
        this(name, source, nc, scales, layers, Map.of());
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static ModelDefinition read(Path file) {
        if (!Files.isReadable(file)) {
            throw new InputException(file + ": model YAML not found or not readable");
        }
        try (InputStream in = Files.newInputStream(file)) {
            String stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            return parse(stem, file.toString(), in);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read model YAML: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a model YAML bundled in the engine jar ({@code models/NAME.yaml}), e.g. {@code yolov8}.
     */
    public static ModelDefinition bundled(String name) {
        String res = "/models/" + name + ".yaml";
        try (InputStream in = ModelDefinition.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new InputException(
                        "no bundled model '"
                                + name
                                + "'; bundled: yolov8, yolo11, yolov5u, yolov5, yolov10, yolov10s, yolov8-mca");
            }
            return parse(name, "bundled:" + name, in);
        } catch (IOException e) {
            throw new InputException(
                    "cannot read bundled model " + name + ": " + e.getMessage(), e);
        }
    }

    /** A path to a YAML file, or the name of a bundled model. */
    public static ModelDefinition resolve(String pathOrName) {
        if (pathOrName.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            return readUri(pathOrName);
        }
        Path p = Path.of(pathOrName);
        if (Files.exists(p)) {
            return read(p);
        }
        if (!pathOrName.contains("/") && !pathOrName.endsWith(".yaml")) {
            return bundled(pathOrName);
        }
        throw new InputException(pathOrName + ": model YAML not found");
    }

    /** A model YAML on any Hadoop filesystem ({@code s3a://}, {@code hdfs://}, {@code file:/}). */
    public static ModelDefinition readUri(String uri) {
        try (InputStream in = io.prunesweep.io.FileSystems.open(uri)) {
            String file = uri.substring(uri.lastIndexOf('/') + 1);
            return parse(file.replaceFirst("\\.ya?ml$", ""), uri, in);
        } catch (IOException e) {
            throw new InputException(uri + ": cannot read model YAML: " + e.getMessage(), e);
        }
    }

    static ModelDefinition parse(String name, String source, InputStream in) throws IOException {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new InputException(
                    source + ": not valid YAML: " + io.prunesweep.io.YamlErrors.describe(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new InputException(
                    source + ": a model YAML must be a mapping with nc, backbone and head");
        }
        int nc = root.path("nc").asInt(80);
        Map<String, Scale> scales = new LinkedHashMap<>();
        JsonNode sc = root.path("scales");
        for (Iterator<Map.Entry<String, JsonNode>> it = sc.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode v = e.getValue();
            if (!v.isArray() || v.size() != 3) {
                throw new InputException(
                        source
                                + ": scales."
                                + e.getKey()
                                + " must be [depth, width, max_channels]");
            }
            scales.put(
                    e.getKey(),
                    new Scale(v.get(0).asDouble(), v.get(1).asDouble(), v.get(2).asInt()));
        }
        if (scales.isEmpty()) {
            double d = root.path("depth_multiple").asDouble(1.0);
            double w = root.path("width_multiple").asDouble(1.0);
            scales.put("", new Scale(d, w, Integer.MAX_VALUE));
        }
        List<LayerDefinition> layers = new ArrayList<>();
        for (String section : List.of("backbone", "head")) {
            JsonNode list = root.path(section);
            if (!list.isArray()) {
                throw new InputException(source + ": missing '" + section + "' list");
            }
            for (JsonNode row : list) {
                int i = layers.size();
                if (!row.isArray() || row.size() != 4) {
                    throw new InputException(
                            source
                                    + ": layer "
                                    + i
                                    + " must be [from, repeats, module, args], got "
                                    + row);
                }
                int[] from;
                if (row.get(0).isArray()) {
                    from = new int[row.get(0).size()];
                    for (int k = 0; k < from.length; k++) {
                        from[k] = row.get(0).get(k).asInt();
                    }
                } else if (row.get(0).isInt()) {
                    from = new int[] {row.get(0).asInt()};
                } else {
                    throw new InputException(
                            source
                                    + ": layer "
                                    + i
                                    + ": 'from' must be an index or a list, got "
                                    + row.get(0));
                }
                if (!row.get(1).isInt() || row.get(1).asInt() < 1) {
                    throw new InputException(
                            source
                                    + ": layer "
                                    + i
                                    + ": repeats must be a positive integer, got "
                                    + row.get(1));
                }
                List<Object> args = new ArrayList<>();
                for (JsonNode a : row.get(3)) {
                    args.add(toJava(a));
                }
                layers.add(
                        new LayerDefinition(from, row.get(1).asInt(), row.get(2).asText(), args));
            }
        }
        Map<String, Object> variables = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!STRUCTURE.contains(e.getKey())) {
                variables.put(e.getKey(), toJava(e.getValue()));
            }
        }
        return new ModelDefinition(name, source, nc, scales, layers, variables);
    }

    private static Object toJava(JsonNode a) {
        if (a.isNull()) {
            return null;
        }
        if (a.isBoolean()) {
            return a.asBoolean();
        }
        if (a.isInt() || a.isLong()) {
            return a.asInt();
        }
        if (a.isNumber()) {
            return a.asDouble();
        }
        if (a.isArray()) {
            List<Object> l = new ArrayList<>();
            a.forEach(x -> l.add(toJava(x)));
            return l;
        }
        String s = a.asText();
        return switch (s) {
            case "None" -> null;
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            default -> s;
        };
    }
}
