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
 * Self-describing checkpoints: one safetensors file whose tensors use ultralytics state-dict names
 * and whose metadata holds the model graph with its actual (possibly pruned) widths, so it reloads
 * with no YAML. Any other tool that reads safetensors can read it too. Always float32.
 */
public final class Checkpoint {
    public static final String FORMAT_KEY = "prunesweep.format";
    public static final String FORMAT = "checkpoint/1";
    public static final String GRAPH_KEY = "prunesweep.graph";

    /**
     * Tensors of a training run's state (raw weights, optimizer buffers) in a {@code last}
     * checkpoint.
     */
    public static final String TRAIN_PREFIX = "train.";

    private Checkpoint() {}

    public static void save(YoloModel model, String uri, Map<String, String> extraMetadata) {
        save(model, uri, extraMetadata, Map.of());
    }

    /**
     * Saves the model's weights under their plain names plus {@code extraTensors} (a training run's
     * raw weights and optimizer state live there, under a {@code train.} prefix, so the plain names
     * stay the usable model).
     */
    public static void save(
            YoloModel model,
            String uri,
            Map<String, String> extraMetadata,
            Map<String, SafeTensors.Tensor> extraTensors) {
        Map<String, String> meta = new LinkedHashMap<>(extraMetadata);
        meta.put(FORMAT_KEY, FORMAT);
        meta.put(GRAPH_KEY, model.graph().toJson());
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>(model.stateDict());
        tensors.putAll(extraTensors);
        FileSystems.writeAtomically(uri, out -> SafeTensors.write(out, tensors, meta));
    }

    public static Content read(String uri) {
        try (InputStream in = FileSystems.open(uri)) {
            return SafeTensors.read(in, uri);
        } catch (IOException e) {
            throw new InputException(uri + ": cannot read weights: " + e.getMessage(), e);
        }
    }

    /**
     * A checkpoint's metadata alone (training state, measured metrics, the graph JSON), without its
     * tensors.
     */
    public static Map<String, String> metadata(String uri) {
        try (InputStream in = FileSystems.open(uri)) {
            return SafeTensors.readMetadata(in, uri);
        } catch (IOException e) {
            throw new InputException(uri + ": cannot read weights: " + e.getMessage(), e);
        }
    }

    /**
     * The graph stored in a PruneSweep checkpoint, or null for a plain (e.g. ultralytics) state
     * dict.
     */
    public static ModelGraph storedGraph(Content content, String source) {
        String json = content.metadata().get(GRAPH_KEY);
        return json == null ? null : ModelGraph.fromJson(json, source);
    }

    /**
     * Loads weights: a PruneSweep checkpoint rebuilds its own graph; a plain ultralytics state dict
     * needs {@code graph} (from {@code --model/--scale}) or is matched against the bundled
     * families.
     */
    public static YoloModel load(String uri, ModelGraph graph, Device device) {
        Content content = read(uri);
        ModelGraph stored = storedGraph(content, uri);
        ModelGraph use =
                stored != null
                        ? stored
                        : graph != null ? graph : UltralyticsImport.inferGraph(content, uri);
        YoloModel model = YoloModel.create(use, 0, device);
        Map<String, SafeTensors.Tensor> weights = new LinkedHashMap<>(content.tensors());
        weights.keySet().removeIf(k -> k.startsWith(TRAIN_PREFIX));
        StateDictCheck check = StateDictCheck.compare(model.stateShapes(), weights);
        if (!check.ok()) {
            model.close();
            throw new InputException(
                    uri
                            + ": weights do not fit model "
                            + use.name()
                            + use.scale()
                            + " (nc="
                            + use.nc()
                            + "): "
                            + check.describe()
                            + (stored == null ? "; pass the right --model/--scale/--nc" : ""));
        }
        model.loadStateDict(content.tensors());
        return model;
    }
}
