package io.prunesweep.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.InputException;
import java.util.ArrayList;
import java.util.List;

/**
 * A YOLO network as data: its layers with every width explicit. This is what checkpoints store, what pruning
 * changes and what {@link io.prunesweep.model.nn.YoloNetwork} is built from.
 *
 * @param name model family (YAML stem), e.g. {@code yolov8}
 * @param scale scale letter used to build it ({@code n}, {@code s}, ...), informative after pruning
 * @param nc number of classes
 * @param inputChannels image channels (3)
 * @param layers the layers, last one the Detect head
 */
public record ModelGraph(String name, String scale, int nc, int inputChannels, List<Layer> layers) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public ModelGraph {
        layers = List.copyOf(layers);
    }

    public Layer head() {
        return layers.get(layers.size() - 1);
    }

    public int[] strides() {
        return head().intsAttr("strides");
    }

    public long parameterCount() {
        return layers.stream().mapToLong(Layer::parameterCount).sum();
    }

    /** Parameters that receive gradients (all but the fixed DFL projection). */
    public long trainableParameterCount() {
        return layers.stream().flatMap(l -> l.convs().values().stream())
                .filter(ConvSpec::trainable).mapToLong(ConvSpec::parameterCount).sum()
                + layers.stream().flatMap(l -> l.tensors().values().stream()).mapToLong(TensorSpec::parameterCount).sum();
    }

    /**
     * GFLOPs as ultralytics prints them: thop profile at a stride-sized (32x32) input, scaled to the image
     * size, 2 FLOPs per multiply-accumulate.
     */
    public double gflops(int imgH, int imgW) {
        int base = Math.max(32, maxStride());
        return 2.0 * layerMacs(base, base).stream().mapToDouble(Double::doubleValue).sum() / 1e9
                * ((double) imgH / base) * ((double) imgW / base);
    }

    public double gflops(int imgsz) {
        return gflops(imgsz, imgsz);
    }

    /** Multiply-accumulates per layer for an input of the given size. */
    public List<Double> layerMacs(int h, int w) {
        List<int[]> sizes = new ArrayList<>();
        List<Double> macs = new ArrayList<>();
        for (Layer layer : layers) {
            List<int[]> in = new ArrayList<>();
            for (int f : layer.from()) in.add(f < 0 ? new int[] {h, w} : sizes.get(f));
            ModuleType type = ModuleRegistry.get(layer.module());
            macs.add(type.macs(layer, in));
            sizes.add(type.outputSize(layer, in));
        }
        return macs;
    }

    public int maxStride() {
        int m = 1;
        for (int s : strides()) m = Math.max(m, s);
        return m;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ModelGraph fromJson(String json, String source) {
        try {
            return JSON.readValue(json, ModelGraph.class);
        } catch (JsonProcessingException e) {
            throw new InputException(source + ": the stored model graph is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
