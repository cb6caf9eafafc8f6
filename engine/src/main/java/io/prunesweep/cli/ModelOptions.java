package io.prunesweep.cli;

import ai.djl.Device;
import io.prunesweep.InputException;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.SafeTensors.Content;
import io.prunesweep.io.UltralyticsImport;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import picocli.CommandLine.Option;

/** {@code --model/--scale/--nc} and/or {@code --weights}: how every command names the network it works on. */
public final class ModelOptions {
    @Option(names = "--model", paramLabel = "YAML", description = "Model YAML (ultralytics format) or a bundled name: yolov8, yolo11, yolov5u, yolov5, yolov10, yolov10s, yolov8-mca.")
    String model;

    @Option(names = "--scale", paramLabel = "S", description = "Scale from the YAML's scales: n, s, m, l, x.")
    String scale;

    @Option(names = "--nc", paramLabel = "N", description = "Number of classes (overrides the YAML's nc).")
    Integer nc;

    @Option(names = "--weights", paramLabel = "FILE", description = "PruneSweep checkpoint or ultralytics state dict (.safetensors); any Hadoop URI.")
    String weights;

    /** The graph from --model/--scale/--nc, or null when only weights were given. */
    public ModelGraph graphFromYaml() {
        if (model == null) {
            if (scale != null || nc != null) throw new InputException("--scale/--nc need --model");
            return null;
        }
        return GraphBuilder.build(ModelDefinition.resolve(model), scale, nc);
    }

    /** The graph to work on, without allocating weights. */
    public ModelGraph graph() {
        if (weights == null) {
            ModelGraph g = graphFromYaml();
            if (g == null) throw new InputException("name a model: --model <yaml> --scale <s>, or --weights <file>");
            return g;
        }
        Content c = Checkpoint.read(weights);
        ModelGraph stored = Checkpoint.storedGraph(c, weights);
        if (stored != null) return stored;
        ModelGraph g = graphFromYaml();
        return g != null ? g : UltralyticsImport.inferGraph(c, weights);
    }

    /** The model with its weights (or freshly initialised from the YAML with {@code seed}). */
    public YoloModel load(Device device, long seed) {
        if (weights != null) return Checkpoint.load(weights, graphFromYaml(), device);
        return YoloModel.create(graph(), seed, device);
    }

    public String weights() {
        return weights;
    }
}
