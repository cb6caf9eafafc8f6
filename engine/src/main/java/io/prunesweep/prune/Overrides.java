package io.prunesweep.prune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prunesweep.InputException;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Space;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Per-layer or per-space exceptions to the ratio. Keys are a layer index ({@code 6}: every space
 * that layer owns) or a space name ({@code 6.cv1[1]}, {@code 22.cv2.0.0}; see the prune report or
 * {@link ChannelSpaces}); values are a ratio in [0, 1) (that space is pruned locally at it) or
 * {@code exclude} (kept whole). A space name wins over its layer's index.
 */
public record Overrides(Map<String, Double> ratios, Set<String> excluded, String source) {
    public static final Overrides NONE = new Overrides(Map.of(), Set.of(), "no overrides");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public Overrides {
        ratios = Collections.unmodifiableMap(new LinkedHashMap<>(ratios));
        excluded = Collections.unmodifiableSet(new LinkedHashSet<>(excluded));
    }

    public boolean isEmpty() {
        return ratios.isEmpty() && excluded.isEmpty();
    }

    /** Reads a YAML mapping {@code key: ratio | exclude}. */
    public static Overrides read(Path file) {
        if (!Files.isReadable(file)) {
            throw new InputException(file + ": overrides file not found or not readable");
        }
        Object root;
        try {
            root = YAML.readValue(file.toFile(), Object.class);
        } catch (IOException e) {
            throw new InputException(
                    file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null) {
            return new Overrides(Map.of(), Set.of(), file.toString());
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new InputException(
                    file
                            + ": overrides must be a mapping of layer index or space name to a ratio or 'exclude'");
        }
        return fromMap(map, file.toString());
    }

    /**
     * The overrides of a mapping {@code key: ratio | exclude} (values may be numbers or their text,
     * as a sweep's {@code prune.overrides} carries them); {@code source} names it in messages.
     */
    public static Overrides of(Map<?, ?> map, String source) {
        return fromMap(map, source);
    }

    private static Overrides fromMap(Map<?, ?> map, String source) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        Set<String> excluded = new LinkedHashSet<>();
        for (var e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            Double ratio = v instanceof Number n ? Double.valueOf(n.doubleValue()) : parse(v);
            if ("exclude".equals(v)) {
                excluded.add(key);
            } else if (ratio != null && ratio >= 0 && ratio < 1) {
                ratios.put(key, ratio);
            } else {
                throw new InputException(
                        source
                                + ": override '"
                                + key
                                + ": "
                                + v
                                + "' must be a ratio in [0, 1) or 'exclude'");
            }
        }
        return new Overrides(ratios, excluded, source);
    }

    private static Double parse(Object v) {
        if (!(v instanceof String text)) {
            return null;
        }
        try {
            return Double.valueOf(text.strip());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /** Space id -> ratio, and excluded space ids, for the spaces of {@code cs}. */
    public record Resolved(Map<Integer, Double> ratios, Set<Integer> excluded) {}

    public Resolved resolve(ChannelSpaces cs) {
        Map<Integer, Double> r = new HashMap<>();
        Set<Integer> x = new HashSet<>();
        int layers = cs.graph().layers().size();
        // layer keys first, so that space names override them
        for (int pass = 0; pass < 2; pass++) {
            for (String key : keys()) {
                boolean isLayer = key.matches("\\d+");
                if (isLayer != (pass == 0)) {
                    continue;
                }
                Double ratio = ratios.get(key);
                boolean found = false;
                for (Space s : cs.spaces()) {
                    boolean hit =
                            isLayer
                                    ? s.ownerLayer() == Integer.parseInt(key)
                                    : s.name().equals(key);
                    if (!hit) {
                        continue;
                    }
                    found = true;
                    if (ratio != null) {
                        r.put(s.id(), ratio);
                        x.remove(s.id());
                    } else {
                        x.add(s.id());
                        r.remove(s.id());
                    }
                }
                if (!found && !(isLayer && Integer.parseInt(key) < layers)) {
                    String example =
                            cs.prunable().isEmpty()
                                    ? ""
                                    : " such as '" + cs.prunable().get(0).name() + "'";
                    throw new InputException(
                            source
                                    + ": override key '"
                                    + key
                                    + "' names no layer (0.."
                                    + (layers - 1)
                                    + ") and no channel space"
                                    + example
                                    + "; see the space names in the prune report");
                }
            }
        }
        return new Resolved(r, x);
    }

    private Set<String> keys() {
        Set<String> k = new LinkedHashSet<>(ratios.keySet());
        k.addAll(excluded);
        return k;
    }
}
