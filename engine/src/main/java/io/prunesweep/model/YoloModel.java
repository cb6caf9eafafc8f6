package io.prunesweep.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.nn.YoloNetwork;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A built network with its parameters on a device: the graph, the DJL block and the manager that
 * owns the weights. Close it to free the native memory.
 */
public final class YoloModel implements AutoCloseable {
    private final ModelGraph graph;
    private final NDManager manager;
    private final YoloNetwork network;

    private YoloModel(ModelGraph graph, NDManager manager, YoloNetwork network) {
        this.graph = graph;
        this.manager = manager;
        this.network = network;
    }

    /** Builds the graph with seeded initial weights on {@code device}. */
    public static YoloModel create(ModelGraph graph, long seed, Device device) {
        NDManager m = NDManager.newBaseManager(device);
        YoloNetwork net = new YoloNetwork(graph, seed);
        net.initialize(m);
        return new YoloModel(graph, m, net);
    }

    public ModelGraph graph() {
        return graph;
    }

    public YoloNetwork network() {
        return network;
    }

    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Decoded inference output {@code [B, 4+nc, anchors]} (BatchNorm in inference mode). */
    public NDArray predict(NDArray images) {
        return network.forward(
                        new ParameterStore(images.getManager(), false), new NDList(images), false)
                .singletonOrThrow();
    }

    /**
     * A copy of this model for inference with every BatchNorm folded into its conv (ultralytics'
     * {@code fuse()}, with the ONNX exporter's arithmetic): fewer ops per forward pass, outputs
     * equal up to float rounding. The copy cannot train; close it when done.
     */
    public YoloModel fused() {
        YoloModel copy = create(graph, 0, device());
        copy.loadStateDict(stateDict());
        copy.network.fuseBatchNorm();
        return copy;
    }

    /**
     * Every parameter and BN statistic by ultralytics state-dict name, copied to the host as
     * float32.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : network.parameters().entrySet()) {
            NDArray a = e.getValue().getArray();
            out.put(e.getKey(), Tensor.f32(a.getShape().getShape(), a.toFloatArray()));
        }
        return out;
    }

    /**
     * Copies values in; names and shapes must already have been checked (see {@link
     * StateDictCheck}).
     */
    public void loadStateDict(Map<String, Tensor> tensors) {
        for (Map.Entry<String, Parameter> e : network.parameters().entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) {
                continue;
            }
            NDArray a = e.getValue().getArray();
            a.set(t.data());
        }
    }

    /** Expected names and shapes of the state dict. */
    public Map<String, Shape> stateShapes() {
        Map<String, Shape> out = new LinkedHashMap<>();
        network.parameters().forEach((k, p) -> out.put(k, p.getArray().getShape()));
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
