package io.prunesweep.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.prunesweep.model.DetectionHead;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DJL block of a whole {@link ModelGraph}: layers routed by their {@code from} indices. {@code
 * forward(..., training=true)} returns the raw head maps (for Detect {@code [B, 4*reg_max+nc, H,
 * W]} per level: what the loss wants); with {@code training=false} BatchNorm uses running
 * statistics and the output is the decoded {@code [B, 4+nc, N]} (what NMS wants; see {@link
 * DetectionHead}). {@link #forwardRaw} gives raw maps in either mode.
 */
public final class YoloNetwork extends AbstractBlock {
    private final ModelGraph graph;
    private final List<LayerBlock> layers = new ArrayList<>();

    public YoloNetwork(ModelGraph graph, long seed) {
        this.graph = graph;
        for (Layer layer : graph.layers()) {
            LayerBlock b = new LayerBlock(layer, graph.type(layer), seed);
            layers.add(addChildBlock(layer.index() + "_" + layer.module(), b));
        }
    }

    public ModelGraph graph() {
        return graph;
    }

    /** Creates the parameters (seeded) on the manager's device; call once. */
    public YoloNetwork initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, graph.inputChannels(), 64, 64));
        return this;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (LayerBlock b : layers) {
            b.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList raw = forwardRaw(ps, inputs.head(), training);
        return training ? raw : new NDList(decode(raw));
    }

    /**
     * Raw head maps per level; {@code training} selects batch statistics (and their update) in
     * BatchNorm.
     */
    public NDList forwardRaw(ParameterStore ps, NDArray image, boolean training) {
        List<NDList> outputs = new ArrayList<>(layers.size());
        NDList out = null;
        for (LayerBlock b : layers) {
            Layer layer = b.layer();
            NDList in = new NDList(layer.from().length);
            for (int f : layer.from()) {
                in.add(f < 0 ? image : outputs.get(f).singletonOrThrow());
            }
            out = b.forward(ps, in, training);
            outputs.add(out);
        }
        return out;
    }

    /**
     * Decodes raw head maps into {@code [B, 4 + nc, N]} boxes (xywh, input pixels) and class
     * scores, as the head's {@link DetectionHead} type says.
     */
    public NDArray decode(NDList raw) {
        Layer head = graph.head();
        Map<String, Parameter> params = parameters();
        // copied into the caller's manager: arrays derived from a model weight would otherwise
        // attach to the
        // model's manager and live until the model is closed (head tensors are small: DFL bins,
        // anchors)
        NDManager scope = raw.head().getManager();
        return DetectionHead.of(graph)
                .decode(
                        head,
                        raw,
                        name -> {
                            NDArray w = params.get(head.prefix("") + name).getArray();
                            return scope.create(w.toFloatArray(), w.getShape());
                        });
    }

    /** All parameters and buffers by state-dict name, in network order. */
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        for (LayerBlock b : layers) {
            for (var p : b.getDirectParameters()) {
                all.put(p.getValue().getName(), p.getValue());
            }
        }
        return all;
    }

    /** Installs (or with null removes) a tap on every conv of the network; see {@link ConvTap}. */
    public void setConvTap(ConvTap tap) {
        for (LayerBlock b : layers) {
            b.setConvTap(tap);
        }
    }

    /**
     * Folds BatchNorm into the convs of every layer, for inference (see {@link
     * LayerBlock#fuseBatchNorm}).
     */
    public void fuseBatchNorm() {
        layerBlocks().forEach(LayerBlock::fuseBatchNorm);
    }

    public List<LayerBlock> layerBlocks() {
        return List.copyOf(layers);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        long h = inputShapes[0].get(2);
        long w = inputShapes[0].get(3);
        return new Shape[] {
            new Shape(b, 4 + graph.nc(), DetectionHead.of(graph).outputColumns(graph.head(), h, w))
        };
    }
}
