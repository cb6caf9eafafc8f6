package io.prunesweep.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a model YAML into a {@link ModelGraph}, following ultralytics' {@code parse_model}: depth
 * gain on repeats, width gain and {@code max_channels} on channels, {@code nc} substitution, and
 * the Detect head's legacy (YOLOv8/v5u) or depthwise (YOLO11, any model with C3k2) class branch. A
 * string argument naming a top-level YAML key is replaced by its value (YOLOv5's {@code anchors}).
 * What depends on a module lives in that module ({@link ModuleType#modelFlags}, {@link
 * ModuleType#resolve}, {@link ModuleType#completeArgs}): C3k2 turns the legacy flag off, {@code
 * Detect} given anchors resolves to YOLOv5's anchor-based head ({@code AnchorDetect}), and {@code
 * Detect} reads the legacy flag into its second argument.
 */
public final class GraphBuilder {
    private GraphBuilder() {}

    /**
     * @param scaleName a key of {@code scales} ({@code n}, {@code s}, ...); may be null when the
     *     YAML has none
     * @param nc class count override, or null for the YAML's
     */
    public static ModelGraph build(ModelDefinition def, String scaleName, Integer nc) {
        return build(def, scaleName, nc, ModuleRegistry.standard());
    }

    /**
     * As {@link #build(ModelDefinition, String, Integer)}, with the module types of {@code
     * modules}.
     */
    public static ModelGraph build(
            ModelDefinition def, String scaleName, Integer nc, ModuleRegistry modules) {
        String scaleKey = scaleName == null ? "" : scaleName;
        Scale scale = def.scales().get(scaleKey);
        if (scale == null) {
            if (scaleName == null && def.scales().size() == 1) {
                scaleKey = def.scales().keySet().iterator().next();
                scale = def.scales().get(scaleKey);
            } else {
                throw new io.prunesweep.InputException(
                        def.source()
                                + ": no scale '"
                                + scaleKey
                                + "'; the YAML defines "
                                + String.join(", ", def.scales().keySet()));
            }
        }
        int classes = nc == null ? def.nc() : nc;
        if (classes < 1) {
            throw new io.prunesweep.InputException("nc must be at least 1, got " + classes);
        }
        // model-wide flags that modules set and others read (ultralytics' parse_model: C3k2 turns
        // Detect's legacy off)
        java.util.Map<String, Object> flags = new java.util.HashMap<>();
        for (LayerDefinition row : def.layers()) {
            ModuleType t = modules.find(row.module());
            if (t != null) {
                flags.putAll(t.modelFlags());
            }
        }

        List<Layer> layers = new ArrayList<>();
        List<LayerDefinition> rows = def.layers();
        for (int i = 0; i < rows.size(); i++) {
            LayerDefinition row = rows.get(i);
            List<Object> args = new ArrayList<>(row.args());
            for (int k = 0; k < args.size(); k++) {
                if ("nc".equals(args.get(k))) {
                    args.set(k, classes);
                } else if (args.get(k) instanceof String v && def.variables().containsKey(v)) {
                    args.set(k, def.variables().get(v));
                }
            }
            ModuleType named = modules.find(row.module());
            if (named == null) {
                throw new io.prunesweep.InputException(
                        def.source()
                                + ": layer "
                                + i
                                + ": unknown module '"
                                + row.module()
                                + "'; known: "
                                + modules.knownNames());
            }
            ModuleType type = named.resolve(args, modules);
            int[] from = new int[row.from().length];
            int[] inCh = new int[from.length];
            int[] inStride = new int[from.length];
            for (int k = 0; k < from.length; k++) {
                int f = row.from()[k];
                boolean image = i == 0 && f == -1;
                int abs = image ? -1 : f < 0 ? i + f : f;
                if (!image && (abs < 0 || abs >= i)) {
                    throw new io.prunesweep.InputException(
                            def.source()
                                    + ": layer "
                                    + i
                                    + ": 'from' index "
                                    + f
                                    + " does not name an earlier layer (use -1.."
                                    + (-i)
                                    + " or 0.."
                                    + (i - 1)
                                    + ")");
                }
                from[k] = abs;
                inCh[k] = abs < 0 ? 3 : layers.get(abs).outChannels();
                inStride[k] = abs < 0 ? 1 : layers.get(abs).stride();
            }
            int repeats =
                    row.repeats() > 1
                            ? Math.max((int) Math.rint(row.repeats() * scale.depth()), 1)
                            : row.repeats();
            type.completeArgs(args, flags);
            LayerContext ctx =
                    new LayerContext(
                            i,
                            from,
                            repeats,
                            args,
                            inCh,
                            inStride,
                            scale,
                            scaleKey,
                            classes,
                            def.source());
            try {
                Layer layer = type.define(ctx);
                if (repeats > 1 && !layer.attrs().containsKey("n")) {
                    throw ctx.fail(
                            row.module() + " does not take repeats (got " + row.repeats() + ")");
                }
                layers.add(layer);
            } catch (ClassCastException | IndexOutOfBoundsException e) {
                throw ctx.fail(
                        "bad arguments "
                                + row.args()
                                + " for "
                                + row.module()
                                + ": "
                                + e.getMessage());
            }
        }
        if (layers.isEmpty()
                || !(modules.get(layers.get(layers.size() - 1).module())
                        instanceof DetectionHead)) {
            throw new io.prunesweep.InputException(
                    def.source()
                            + ": the last layer must be a detection head"
                            + " (Detect, Detect with anchors, v10Detect)");
        }
        return new ModelGraph(def.name(), scaleKey, classes, 3, layers, modules);
    }
}
