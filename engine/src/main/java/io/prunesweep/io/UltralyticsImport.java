package io.prunesweep.io;

import ai.djl.ndarray.types.Shape;
import io.prunesweep.InputException;
import io.prunesweep.io.SafeTensors.Content;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.StateDictCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recognises an ultralytics state dict (from {@code safetensors.torch.save_file(model.state_dict(),
 * ...)}) by trying the bundled families and scales with the class count read off the head; the one
 * whose names and shapes all match is the model.
 */
public final class UltralyticsImport {
    static final List<String> FAMILIES =
            List.of("yolov8", "yolo11", "yolov5u", "yolov5", "yolov10", "yolov10s", "yolov8-mca");
    static final List<String> SCALES = List.of("n", "s", "m", "l", "x");

    private UltralyticsImport() {}

    public static ModelGraph inferGraph(Content content, String source) {
        Integer nc = classCount(content);
        if (nc == null) {
            throw new InputException(
                    source
                            + ": not a YOLO detection state dict (no model.N.cv3.0.2.weight, no model.N.anchors); "
                            + "pass --model and --scale");
        }
        for (String family : FAMILIES) {
            ModelDefinition def = ModelDefinition.bundled(family);
            for (String scale : SCALES) {
                if (!def.scales().containsKey(scale)) {
                    continue; // e.g. yolov10.yaml is scale n only
                }
                ModelGraph g = GraphBuilder.build(def, scale, nc);
                if (StateDictCheck.compare(expectedShapes(g), content.tensors()).ok()) {
                    return g;
                }
            }
        }
        throw new InputException(
                source
                        + ": weights match none of "
                        + FAMILIES
                        + " x scales "
                        + SCALES
                        + " at nc="
                        + nc
                        + "; pass --model <yaml> --scale <s> to see which keys differ");
    }

    static Integer classCount(Content content) {
        for (var e : content.tensors().entrySet()) {
            if (e.getKey().matches("model\\.\\d+\\.cv3\\.0\\.2\\.weight")) {
                return (int) e.getValue().shape()[0];
            }
        }
        // YOLOv5's anchor head: model.L.anchors [nl, na, 2] and model.L.m.0.weight [na * (5 + nc),
        // c, 1, 1]
        for (var e : content.tensors().entrySet()) {
            if (!e.getKey().matches("model\\.\\d+\\.anchors") || e.getValue().shape().length != 3) {
                continue;
            }
            var out = content.tensors().get(e.getKey().replace("anchors", "m.0.weight"));
            long na = e.getValue().shape()[1];
            if (out != null && na > 0 && out.shape()[0] % na == 0 && out.shape()[0] / na > 5) {
                return (int) (out.shape()[0] / na - 5);
            }
        }
        return null;
    }

    /**
     * Names and shapes a graph expects, computed from the specs (no need to allocate the network).
     */
    public static Map<String, Shape> expectedShapes(ModelGraph g) {
        Map<String, Shape> out = new LinkedHashMap<>();
        for (Layer l : g.layers()) {
            for (var e : l.convs().entrySet()) {
                ConvSpec c = e.getValue();
                String p = l.prefix(e.getKey());
                out.put(
                        p + (c.bn() ? "conv.weight" : "weight"),
                        new Shape(c.out(), c.in() / c.groups(), c.kernel(), c.kernel()));
                if (c.bias()) {
                    out.put(p + "bias", new Shape(c.out()));
                }
                if (c.bn()) {
                    for (String s :
                            new String[] {"weight", "bias", "running_mean", "running_var"}) {
                        out.put(p + "bn." + s, new Shape(c.out()));
                    }
                }
            }
            l.tensors()
                    .forEach(
                            (name, t) ->
                                    out.put(
                                            l.prefix("") + name,
                                            new Shape(
                                                    java.util.Arrays.stream(t.shape())
                                                            .mapToLong(d -> d)
                                                            .toArray())));
        }
        return out;
    }
}
