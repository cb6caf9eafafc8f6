package io.prunesweep.sweep.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prunesweep.InputException;
import io.prunesweep.io.YamlErrors;
import io.prunesweep.pipeline.StageFiles;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a sweep YAML, applies {@code --set key.path=value} overrides to the YAML tree, checks every
 * key, type and value, and binds the result to {@link SweepConfig}. All problems are collected and
 * thrown together as a {@link SweepConfigException}, one line each, before any work starts.
 */
public final class SweepConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper BINDER =
            new ObjectMapper()
                    .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final boolean checkFiles;

    /**
     * @param checkFiles check that model, checkpoint and dataset files exist (off only for offline
     *     tooling)
     */
    public SweepConfigLoader(boolean checkFiles) {
        this.checkFiles = checkFiles;
    }

    public SweepConfigLoader() {
        this(true);
    }

    /** Loads a sweep from a local path or any Hadoop filesystem URI. */
    public SweepConfig load(String source, List<String> overrides) {
        String text;
        try {
            text =
                    new String(
                            StageFiles.read(source, new org.apache.hadoop.conf.Configuration()),
                            java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InputException(
                    source
                            + ": cannot read the sweep file ("
                            + e.getMessage()
                            + "); check the path");
        }
        return parse(source, text, overrides);
    }

    /** Parses sweep YAML text; {@code source} names it in messages. */
    public SweepConfig parse(String source, String yamlText, List<String> overrides) {
        List<String> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = YAML.readTree(yamlText);
        } catch (IOException e) {
            throw new SweepConfigException(
                    List.of(source + ": not valid YAML: " + YamlErrors.describe(e)));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new SweepConfigException(
                    List.of(
                            source
                                    + ": expected a mapping of sections (sweep, model, "
                                    + "data, ...) at the top level"));
        }
        ObjectNode tree = (ObjectNode) root;
        for (String o : overrides) {
            applyOverride(source, tree, o, problems);
        }
        dropNulls(tree);
        checkStructure(source, tree, "", problems);
        for (String req : ConfigSchema.REQUIRED) {
            if (at(tree, req) == null) {
                problems.add(source + ": " + req + " is required");
            }
        }
        if (at(tree, "model.yaml") == null && at(tree, "model.checkpoint") == null) {
            problems.add(
                    source
                            + ": model needs yaml (architecture, with scale) or checkpoint (initial weights)");
        }
        if (!problems.isEmpty()) {
            throw new SweepConfigException(problems);
        }
        ObjectNode merged = defaults();
        merge(merged, tree);
        SweepConfig config;
        try {
            config = BINDER.treeToValue(merged, SweepConfig.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // The structure check makes this unreachable for user input; keep the message if it is
            // not.
            throw new SweepConfigException(List.of(source + ": " + e.getOriginalMessage()));
        }
        problems.addAll(new SweepConfigValidator(source, checkFiles).validate(config));
        if (!problems.isEmpty()) {
            throw new SweepConfigException(problems);
        }
        return config;
    }

    /**
     * {@code key.path=value}: value is read as YAML ({@code [0.2,0.4]}, {@code 3}, {@code text}).
     */
    static void applyOverride(
            String source, ObjectNode tree, String override, List<String> problems) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            problems.add(
                    "--set "
                            + override
                            + ": expected key.path=value, e.g. --set prune.ratios=[0.2,0.4]");
            return;
        }
        String path = override.substring(0, eq).trim();
        String raw = override.substring(eq + 1).trim();
        String mapLeaf = ConfigSchema.mapLeafOf(path);
        if (mapLeaf == null && !ConfigSchema.LEAVES.containsKey(path)) {
            problems.add(
                    "--set " + path + ": unknown key; valid keys: " + ConfigSchema.allLeaves());
            return;
        }
        JsonNode value;
        try {
            value = raw.isEmpty() ? TextNode.valueOf("") : YAML.readTree(raw);
        } catch (IOException e) {
            if (raw.startsWith("[") || raw.startsWith("{")) {
                // meant as a YAML list or mapping: the mistake is in the --set, not in the file
                problems.add(
                        "--set "
                                + override
                                + ": the value is not valid YAML: "
                                + YamlErrors.describe(e)
                                + "; e.g. --set prune.ratios=[0.2,0.4]");
                return;
            }
            value = TextNode.valueOf(raw);
        }
        if (value == null || value.isMissingNode()) {
            value = TextNode.valueOf(raw);
        }
        if (mapLeaf != null) {
            ObjectNode map = ensureObject(tree, mapLeaf);
            map.put(
                    path.substring(mapLeaf.length() + 1),
                    value.isValueNode() ? value.asText() : raw);
            return;
        }
        int dot = path.lastIndexOf('.');
        ObjectNode parent = dot < 0 ? tree : ensureObject(tree, path.substring(0, dot));
        parent.set(path.substring(dot + 1), value);
    }

    private static ObjectNode ensureObject(ObjectNode tree, String path) {
        ObjectNode node = tree;
        for (String part : path.split("\\.")) {
            JsonNode child = node.get(part);
            if (!(child instanceof ObjectNode)) {
                child = node.putObject(part);
            }
            node = (ObjectNode) child;
        }
        return node;
    }

    /**
     * Walks the tree: unknown keys get the list of valid keys, values of the wrong type say which
     * type.
     */
    private static void checkStructure(
            String source, ObjectNode node, String path, List<String> problems) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            ConfigSchema.Type type = ConfigSchema.LEAVES.get(key);
            if (type != null) {
                JsonNode fixed = checkType(source, key, type, e.getValue(), problems);
                if (fixed != null) {
                    e.setValue(fixed);
                }
            } else if (ConfigSchema.isSection(key)) {
                if (e.getValue().isObject()) {
                    checkStructure(source, (ObjectNode) e.getValue(), key, problems);
                } else {
                    problems.add(
                            source
                                    + ": "
                                    + key
                                    + " must be a section with keys: "
                                    + ConfigSchema.validKeysUnder(key));
                }
            } else {
                String where = path.isEmpty() ? "at the top level" : "under " + path;
                problems.add(
                        source
                                + ": unknown key '"
                                + key
                                + "'; valid keys "
                                + where
                                + ": "
                                + ConfigSchema.validKeysUnder(path));
            }
        }
    }

    /**
     * Checks one value; returns a normalised node (a scalar where a list is allowed becomes a
     * list).
     */
    private static JsonNode checkType(
            String source, String key, ConfigSchema.Type type, JsonNode v, List<String> problems) {
        switch (type) {
            case STRING -> {
                if (!(v.isTextual() || v.isNumber())) {
                    problems.add(source + ": " + key + " must be a text value, got " + describe(v));
                    return null;
                }
                return TextNode.valueOf(v.asText());
            }
            case INT -> {
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    problems.add(
                            source + ": " + key + " must be a whole number, got " + describe(v));
                }
                return null;
            }
            case NUMBER -> {
                if (!v.isNumber()) {
                    problems.add(source + ": " + key + " must be a number, got " + describe(v));
                }
                return null;
            }
            case MAP_OR_FILE -> {
                JsonNode map = v.isTextual() ? readMapFile(source, key, v.asText(), problems) : v;
                return map == null
                        ? null
                        : checkType(source, key, ConfigSchema.Type.STRING_MAP, map, problems);
            }
            case STRING_MAP -> {
                if (!v.isObject()) {
                    problems.add(
                            source
                                    + ": "
                                    + key
                                    + " must be a mapping of name: value, got "
                                    + describe(v));
                    return null;
                }
                ObjectNode out = JsonNodeFactory.instance.objectNode();
                v.fields()
                        .forEachRemaining(
                                f -> {
                                    if (f.getValue().isValueNode()) {
                                        out.put(f.getKey(), f.getValue().asText());
                                    } else {
                                        problems.add(
                                                source
                                                        + ": "
                                                        + key
                                                        + "."
                                                        + f.getKey()
                                                        + " must be a single value");
                                    }
                                });
                return out;
            }
            default -> {
                ArrayNode list;
                if (v.isArray()) {
                    list = (ArrayNode) v;
                } else {
                    list = JsonNodeFactory.instance.arrayNode().add(v);
                }
                for (int i = 0; i < list.size(); i++) {
                    JsonNode item = list.get(i);
                    boolean good =
                            switch (type) {
                                case INT_LIST -> item.isIntegralNumber() && item.canConvertToLong();
                                case NUMBER_LIST -> item.isNumber();
                                case BOOL_LIST -> item.isBoolean();
                                default -> item.isTextual();
                            };
                    if (!good) {
                        String what =
                                switch (type) {
                                    case INT_LIST -> "a whole number";
                                    case NUMBER_LIST -> "a number";
                                    case BOOL_LIST -> "true or false";
                                    default -> "a text value";
                                };
                        problems.add(
                                source
                                        + ": "
                                        + key
                                        + "["
                                        + i
                                        + "] must be "
                                        + what
                                        + ", got "
                                        + describe(item));
                    }
                }
                return list;
            }
        }
    }

    /**
     * The mapping in a YAML file named by a key's value (e.g. a sensitivity scan's per-layer plan).
     */
    private static JsonNode readMapFile(
            String source, String key, String uri, List<String> problems) {
        JsonNode map;
        try {
            map = YAML.readTree(StageFiles.read(uri, new org.apache.hadoop.conf.Configuration()));
        } catch (IOException e) {
            problems.add(
                    source
                            + ": "
                            + key
                            + "="
                            + uri
                            + " cannot be read ("
                            + e.getMessage()
                            + "); give a mapping of layer index or space name to a ratio or 'exclude', or the path of a YAML file holding one");
            return null;
        }
        if (map == null || map.isNull() || map.isMissingNode()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!map.isObject()) {
            problems.add(
                    source
                            + ": "
                            + key
                            + "="
                            + uri
                            + " must hold a mapping of layer index or space name to a ratio or 'exclude'");
            return null;
        }
        return map;
    }

    private static String describe(JsonNode v) {
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return "a list";
        }
        return "'" + v.asText() + "'";
    }

    private static JsonNode at(JsonNode tree, String path) {
        JsonNode n = tree;
        for (String part : path.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n == null || n.isNull() ? null : n;
    }

    private static void dropNulls(ObjectNode node) {
        node.fields()
                .forEachRemaining(
                        e -> {
                            if (e.getValue() instanceof ObjectNode o) {
                                dropNulls(o);
                            }
                        });
        node.properties().removeIf(e -> e.getValue().isNull());
    }

    private static void merge(ObjectNode base, ObjectNode over) {
        over.fields()
                .forEachRemaining(
                        e -> {
                            JsonNode b = base.get(e.getKey());
                            if (b instanceof ObjectNode bo
                                    && e.getValue() instanceof ObjectNode oo
                                    && !"conf".equals(e.getKey())
                                    && !"train".equals(e.getKey())
                                    && !"overrides".equals(e.getKey())) {
                                merge(bo, oo);
                            } else {
                                base.set(e.getKey(), e.getValue());
                            }
                        });
    }

    private static ObjectNode defaults() {
        try (InputStream in = SweepConfigLoader.class.getResourceAsStream("defaults.yaml")) {
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("defaults.yaml missing from the classpath", e);
        }
    }
}
