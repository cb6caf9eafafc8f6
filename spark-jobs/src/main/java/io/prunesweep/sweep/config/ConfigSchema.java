package io.prunesweep.sweep.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The keys a sweep YAML may hold and the type of each; the single source for "unknown key"
 * messages.
 */
final class ConfigSchema {
    private ConfigSchema() {}

    enum Type {
        STRING,
        INT,
        NUMBER,
        STRING_LIST,
        INT_LIST,
        NUMBER_LIST,
        BOOL_LIST,
        STRING_MAP,
        /** A mapping of name: value, or the URI of a YAML file holding one (read at load time). */
        MAP_OR_FILE
    }

    static final Map<String, Type> LEAVES = new LinkedHashMap<>();

    static {
        LEAVES.put("sweep.id", Type.STRING);
        LEAVES.put("sweep.name", Type.STRING);
        LEAVES.put("model.yaml", Type.STRING);
        LEAVES.put("model.scale", Type.STRING);
        LEAVES.put("model.checkpoint", Type.STRING);
        LEAVES.put("data.dataset", Type.STRING);
        LEAVES.put("data.imgsz", Type.INT);
        LEAVES.put("data.batch", Type.INT);
        LEAVES.put("epochs.dense", Type.INT);
        LEAVES.put("epochs.sparse", Type.INT);
        LEAVES.put("epochs.finetune", Type.INT);
        LEAVES.put("seeds", Type.INT_LIST);
        LEAVES.put("sparse.lambdas", Type.NUMBER_LIST);
        LEAVES.put("prune.methods", Type.STRING_LIST);
        LEAVES.put("prune.ratios", Type.NUMBER_LIST);
        LEAVES.put("prune.scope", Type.STRING);
        LEAVES.put("prune.min_channels", Type.INT);
        LEAVES.put("prune.round_to", Type.INT);
        LEAVES.put("prune.reconstruct", Type.BOOL_LIST);
        LEAVES.put("prune.overrides", Type.MAP_OR_FILE);
        LEAVES.put("train", Type.STRING_MAP);
        LEAVES.put("output", Type.STRING);
        LEAVES.put("spark.master", Type.STRING);
        LEAVES.put("spark.gpu_amount", Type.NUMBER);
        LEAVES.put("spark.task_cpus", Type.INT);
        LEAVES.put("spark.child_heap", Type.STRING);
        LEAVES.put("spark.child_threads", Type.INT);
        LEAVES.put("spark.timeout_minutes", Type.NUMBER);
        LEAVES.put("spark.child_java_options", Type.STRING_LIST);
        LEAVES.put("spark.conf", Type.STRING_MAP);
        LEAVES.put("mode", Type.STRING);
        LEAVES.put("sensitivity.tolerances", Type.NUMBER_LIST);
        LEAVES.put("sensitivity.spaces", Type.STRING_LIST);
        LEAVES.put("sensitivity.points_per_task", Type.INT);
        LEAVES.put("search.mode", Type.STRING);
        LEAVES.put("search.tolerance", Type.NUMBER);
        LEAVES.put("search.rounds", Type.INT);
        LEAVES.put("search.width", Type.NUMBER);
        LEAVES.put("search.eta", Type.INT);
        LEAVES.put("search.epochs", Type.INT);
    }

    static final List<String> REQUIRED =
            List.of("sweep.id", "data.dataset", "prune.ratios", "output");

    /**
     * The mapping leaf a {@code --set} path writes into ({@code spark.conf.x}, {@code train.lr0}),
     * or null.
     */
    static String mapLeafOf(String path) {
        for (Map.Entry<String, Type> e : LEAVES.entrySet()) {
            if ((e.getValue() == Type.STRING_MAP || e.getValue() == Type.MAP_OR_FILE)
                    && path.startsWith(e.getKey() + ".")
                    && path.length() > e.getKey().length() + 1) {
                return e.getKey();
            }
        }
        return null;
    }

    static boolean isSection(String path) {
        String prefix = path.isEmpty() ? "" : path + ".";
        return LEAVES.keySet().stream()
                .anyMatch(k -> k.startsWith(prefix) && k.length() > prefix.length());
    }

    /** The keys valid directly under a section ("" = top level), for error messages. */
    static String validKeysUnder(String section) {
        String prefix = section.isEmpty() ? "" : section + ".";
        return LEAVES.keySet().stream()
                .filter(k -> k.startsWith(prefix))
                .map(k -> k.substring(prefix.length()).split("\\.")[0])
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new))
                .stream()
                .collect(Collectors.joining(", "));
    }

    /** Every leaf path, sorted, for a "valid keys are" hint on --set. */
    static String allLeaves() {
        return String.join(", ", new TreeSet<>(LEAVES.keySet()));
    }
}
