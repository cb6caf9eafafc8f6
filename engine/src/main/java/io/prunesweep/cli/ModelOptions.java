package io.prunesweep.cli;

import ai.djl.Device;
import io.prunesweep.InputException;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.UltralyticsImport;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import picocli.CommandLine.Option;

/**
 * {@code --model/--scale/--nc} and/or {@code --weights}: how every command names the network it
 * works on.
 */
public final class ModelOptions {
    @Option(
            names = "--model",
            paramLabel = "YAML",
            description =
                    "Model YAML (ultralytics format) or a bundled name: yolov8, yolo11, yolov5u, yolov5, yolov10, yolov10s, yolov8-mca.")
    String model;

    @Option(
            names = "--scale",
            paramLabel = "S",
            description = "Scale from the YAML's scales: n, s, m, l, x.")
    String scale;

    @Option(
            names = "--nc",
            paramLabel = "N",
            description = "Number of classes (overrides the YAML's nc).")
    Integer nc;

    @Option(
            names = "--weights",
            paramLabel = "FILE",
            description =
                    "PruneSweep checkpoint or ultralytics state dict (.safetensors); any Hadoop URI.")
    String weights;

    /**
     * The class count of the data, used for a --model graph when --nc is not given (as ultralytics
     * does).
     */
    private Integer dataNc;

    /**
     * The dataset's class count (from its {@code names}): a graph built from {@code --model}
     * without {@code --nc} takes it, so an ultralytics state dict of a 3-class model loads with
     * {@code --model yolov8 --scale n}.
     */
    public void useDataClasses(int nc) {
        this.dataNc = nc;
    }

    /** The graph from --model/--scale/--nc, or null when only weights were given. */
    public ModelGraph graphFromYaml() {
        if (model == null) {
            if (scale != null) {
                throw new InputException("--scale needs --model");
            }
            if (nc != null && weights == null) {
                throw new InputException("--nc needs --model");
            }
            return null;
        }
        return GraphBuilder.build(ModelDefinition.resolve(model), scale, nc != null ? nc : dataNc);
    }

    /**
     * A PruneSweep checkpoint carries its own graph (its widths may be pruned): {@code
     * --model/--scale/--nc} that contradict it are refused in one line rather than silently
     * ignored; agreeing ones are only redundant.
     */
    private ModelGraph reconciled(ModelGraph stored) {
        if (model == null && scale == null && nc == null) {
            return stored;
        }
        java.util.List<String> conflicts = new java.util.ArrayList<>();
        if (model != null) {
            String wanted = ModelDefinition.resolve(model).name();
            if (!wanted.equals(stored.name())) {
                conflicts.add("--model " + model);
            }
        }
        if (scale != null && !scale.equals(stored.scale())) {
            conflicts.add("--scale " + scale);
        }
        if (nc != null && nc != stored.nc()) {
            conflicts.add("--nc " + nc);
        }
        String what =
                weights
                        + " is a PruneSweep checkpoint of "
                        + stored.name()
                        + stored.scale()
                        + " (nc="
                        + stored.nc()
                        + ") and carries its own graph";
        if (!conflicts.isEmpty()) {
            throw new InputException(
                    what
                            + "; "
                            + String.join(" ", conflicts)
                            + " contradicts it: drop "
                            + (conflicts.size() == 1 ? "it" : "them"));
        }
        System.err.println("note: " + what + "; --model/--scale/--nc are not needed");
        return stored;
    }

    private ModelGraph storedGraph() {
        String json = Checkpoint.metadata(weights).get(Checkpoint.GRAPH_KEY);
        return json == null ? null : reconciled(ModelGraph.fromJson(json, weights));
    }

    /** The graph to work on, without allocating weights. */
    public ModelGraph graph() {
        if (weights == null) {
            ModelGraph g = graphFromYaml();
            if (g == null) {
                throw new InputException(
                        "name a model: --model <yaml> --scale <s>, or --weights <file>");
            }
            return g;
        }
        ModelGraph stored = storedGraph();
        if (stored != null) {
            return stored;
        }
        ModelGraph g = graphFromYaml();
        return g != null ? g : UltralyticsImport.inferGraph(Checkpoint.read(weights), weights);
    }

    /** The model with its weights (or freshly initialised from the YAML with {@code seed}). */
    public YoloModel load(Device device, long seed) {
        if (weights != null) {
            ModelGraph stored = storedGraph();
            return Checkpoint.load(weights, stored != null ? null : graphFromYaml(), device);
        }
        return YoloModel.create(graph(), seed, device);
    }

    /** Whether any of --model/--scale/--nc was given. */
    public boolean namesGraph() {
        return model != null || scale != null || nc != null;
    }

    public String weights() {
        return weights;
    }
}
