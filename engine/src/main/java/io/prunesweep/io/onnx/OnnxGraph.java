package io.prunesweep.io.onnx;

import java.util.List;
import java.util.Map;

/**
 * A complete inference graph (GraphProto), nodes in topological order, and its encoding as a
 * ModelProto with the fixed header this project exports: IR version 8, default-domain opset 17,
 * producer "prunesweep".
 */
public record OnnxGraph(
        String name,
        List<OnnxNode> nodes,
        List<OnnxTensor> initializers,
        List<OnnxValueInfo> inputs,
        List<OnnxValueInfo> outputs) {
    /** IR version 8 is what opset 17 was released with; ORT 1.20 reads up to 10. */
    public static final long IR_VERSION = 8;

    public static final long OPSET = 17;
    public static final String PRODUCER = "prunesweep";

    // ModelProto field numbers (onnx.proto)
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_PRODUCER_VERSION = 3;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int MODEL_METADATA_PROPS = 14;
    // StringStringEntryProto
    private static final int ENTRY_KEY = 1;
    private static final int ENTRY_VALUE = 2;
    // OperatorSetIdProto
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION = 2;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;

    public OnnxGraph {
        nodes = List.copyOf(nodes);
        initializers = List.copyOf(initializers);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The serialized ModelProto, ready to be written as an .onnx file. */
    public byte[] toModelBytes() {
        return toModelBytes(Map.of());
    }

    /**
     * The serialized ModelProto with {@code metadata} as its {@code metadata_props} (what ONNX
     * Runtime returns as the custom metadata map), in the map's iteration order.
     */
    public byte[] toModelBytes(Map<String, String> metadata) {
        ProtoWriter graph = new ProtoWriter();
        for (OnnxNode n : nodes) {
            graph.message(GRAPH_NODE, n.encode());
        }
        graph.string(GRAPH_NAME, name);
        for (OnnxTensor t : initializers) {
            graph.message(GRAPH_INITIALIZER, t.encode());
        }
        for (OnnxValueInfo v : inputs) {
            graph.message(GRAPH_INPUT, v.encode());
        }
        for (OnnxValueInfo v : outputs) {
            graph.message(GRAPH_OUTPUT, v.encode());
        }
        ProtoWriter opset = new ProtoWriter().string(OPSET_DOMAIN, "").varint(OPSET_VERSION, OPSET);
        ProtoWriter model =
                new ProtoWriter()
                        .varint(MODEL_IR_VERSION, IR_VERSION)
                        .string(MODEL_PRODUCER_NAME, PRODUCER)
                        .string(MODEL_PRODUCER_VERSION, producerVersion())
                        .message(MODEL_GRAPH, graph)
                        .message(MODEL_OPSET_IMPORT, opset);
        metadata.forEach(
                (k, v) ->
                        model.message(
                                MODEL_METADATA_PROPS,
                                new ProtoWriter().string(ENTRY_KEY, k).string(ENTRY_VALUE, v)));
        return model.toBytes();
    }

    private static String producerVersion() {
        String v = OnnxGraph.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
