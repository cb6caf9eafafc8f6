package io.prunesweep.io;

import ai.djl.Device;
import io.prunesweep.InputException;
import io.prunesweep.io.SafeTensors.Content;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.StateDictCheck;
import io.prunesweep.model.YoloModel;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Self-describing checkpoints: one safetensors file whose tensors use ultralytics state-dict names and whose
 * metadata holds the model graph with its actual (possibly pruned) widths, so it reloads with no YAML.
 * Any other tool that reads safetensors can read it too. Always float32.
 */
public final class Checkpoint {
    public static final String FORMAT_KEY = "prunesweep.format";
    public static final String FORMAT = "checkpoint/1";
    public static final String GRAPH_KEY = "prunesweep.graph";

    private Checkpoint() {}

    public static void save(YoloModel model, String uri, Map<String, String> extraMetadata) {
        Map<String, String> meta = new LinkedHashMap<>(extraMetadata);
        meta.put(FORMAT_KEY, FORMAT);
        meta.put(GRAPH_KEY, model.graph().toJson());
        var tensors = model.stateDict();
        FileSystems.writeAtomically(uri, out -> SafeTensors.write(out, tensors, meta));
    }

    public static Content read(String uri) {
        try (InputStream in = FileSystems.open(uri)) {
            return SafeTensors.read(in, uri);
        } catch (IOException e) {
            throw new InputException(uri + ": cannot read weights: " + e.getMessage(), e);
        }
    }

    /** The graph stored in a PruneSweep checkpoint, or null for a plain (e.g. ultralytics) state dict. */
    public static ModelGraph storedGraph(Content content, String source) {
        String json = content.metadata().get(GRAPH_KEY);
        return json == null ? null : ModelGraph.fromJson(json, source);
    }

    /**
     * Loads weights: a PruneSweep checkpoint rebuilds its own graph; a plain ultralytics state dict needs
     * {@code graph} (from {@code --model/--scale}) or is matched against the bundled families.
     */
    public static YoloModel load(String uri, ModelGraph graph, Device device) {
        Content content = read(uri);
        ModelGraph stored = storedGraph(content, uri);
        ModelGraph use = stored != null ? stored : graph != null ? graph : UltralyticsImport.inferGraph(content, uri);
        YoloModel model = YoloModel.create(use, 0, device);
        StateDictCheck check = StateDictCheck.compare(model.stateShapes(), content.tensors());
        if (!check.ok()) {
            model.close();
            throw new InputException(uri + ": weights do not fit model " + use.name() + use.scale() + " (nc=" + use.nc()
                    + "): " + check.describe() + (stored == null ? "; pass the right --model/--scale/--nc" : ""));
        }
        model.loadStateDict(content.tensors());
        return model;
    }
}
