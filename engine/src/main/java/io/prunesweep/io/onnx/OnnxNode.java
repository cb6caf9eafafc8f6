package io.prunesweep.io.onnx;

import java.util.List;

/**
 * One operator application (NodeProto) in the default ONNX domain. An empty input name means
 * "omitted".
 */
public record OnnxNode(
        String name,
        String opType,
        List<String> inputs,
        List<String> outputs,
        List<OnnxAttribute> attributes) {
    // NodeProto field numbers (onnx.proto)
    private static final int INPUT = 1;
    private static final int OUTPUT = 2;
    private static final int NAME = 3;
    private static final int OP_TYPE = 4;
    private static final int ATTRIBUTE = 5;

    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = List.copyOf(attributes);
    }

    ProtoWriter encode() {
        ProtoWriter w = new ProtoWriter();
        for (String in : inputs) {
            w.string(INPUT, in);
        }
        for (String out : outputs) {
            w.string(OUTPUT, out);
        }
        w.string(NAME, name).string(OP_TYPE, opType);
        for (OnnxAttribute a : attributes) {
            w.message(ATTRIBUTE, a.encode());
        }
        return w;
    }
}
