package io.prunesweep.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.InputException;
import java.util.ArrayList;
import java.util.List;

/**
 * A YOLO network as data: its layers with every width explicit. This is what checkpoints store,
 * what pruning changes and what {@link io.prunesweep.model.nn.YoloNetwork} is built from.
 *
 * @param name model family (YAML stem), e.g. {@code yolov8}
 * @param scale scale letter used to build it ({@code n}, {@code s}, ...), informative after pruning
 * @param nc number of classes
 * @param inputChannels image channels (3)
 * @param layers the layers, last one the Detect head
 * @param modules the module types its layers name (not stored: a graph read back gets the
 *     {@linkplain ModuleRegistry#standard() standard} registry); not part of equality
 */
public record ModelGraph(
        String name,
        String scale,
        int nc,
        int inputChannels,
        List<Layer> layers,
        @JsonIgnore ModuleRegistry modules) {

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public ModelGraph {
        layers = List.copyOf(layers);
        if (modules == null) {
            modules = ModuleRegistry.standard();
        }
    }

    /** A graph of the standard module types (what a checkpoint's stored graph reads back as). */
    @JsonCreator
    public ModelGraph(
            @JsonProperty("name") String name,
            @JsonProperty("scale") String scale,
            @JsonProperty("nc") int nc,
            @JsonProperty("inputChannels") int inputChannels,
            @JsonProperty("layers") List<Layer> layers) {
        this(name, scale, nc, inputChannels, layers, ModuleRegistry.standard());
    }

    /** The same graph with other layers (pruning's rebuild), keeping its module types. */
    public ModelGraph withLayers(List<Layer> newLayers) {
        return new ModelGraph(name, scale, nc, inputChannels, newLayers, modules);
    }

    /** The type of {@code layer}'s module, from this graph's registry. */
    public ModuleType type(Layer layer) {
        return modules.get(layer.module());
    }

    /**
     * Equality is the data (what a checkpoint stores), not which registry object the graph was
     * built with.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof ModelGraph g
                && name.equals(g.name)
                && java.util.Objects.equals(scale, g.scale)
                && nc == g.nc
                && inputChannels == g.inputChannels
                && layers.equals(g.layers);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, scale, nc, inputChannels, layers);
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
        return layers.stream()
                        .flatMap(l -> l.convs().values().stream())
                        .filter(ConvSpec::trainable)
                        .mapToLong(ConvSpec::parameterCount)
                        .sum()
                + layers.stream()
                        .flatMap(l -> l.tensors().values().stream())
                        .mapToLong(TensorSpec::parameterCount)
                        .sum();
    }

    /**
     * GFLOPs as ultralytics prints them: thop profile at a stride-sized (32x32) input, scaled to
     * the image size, 2 FLOPs per multiply-accumulate.
     */
    public double gflops(int imgH, int imgW) {
        int base = Math.max(32, maxStride());
        return 2.0
                * layerMacs(base, base).stream().mapToDouble(Double::doubleValue).sum()
                / 1e9
                * ((double) imgH / base)
                * ((double) imgW / base);
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
            for (int f : layer.from()) {
                in.add(f < 0 ? new int[] {h, w} : sizes.get(f));
            }
            ModuleType type = type(layer);
            macs.add(type.macs(layer, in));
            sizes.add(type.outputSize(layer, in));
        }
        return macs;
    }

    public int maxStride() {
        int m = 1;
        for (int s : strides()) {
            m = Math.max(m, s);
        }
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
            throw new InputException(
                    source + ": the stored model graph is not readable: " + e.getOriginalMessage(),
                    e);
        }
    }
}
