package io.prunesweep.io.onnx;

import java.util.List;

/**
 * A graph input or output (ValueInfoProto with a tensor TypeProto). {@code shape == null} means the
 * shape is left to the runtime's inference (element type only).
 */
public record OnnxValueInfo(String name, OnnxDataType elemType, List<Dim> shape) {
    // ValueInfoProto / TypeProto / TypeProto.Tensor / TensorShapeProto(.Dimension) field numbers
    // (onnx.proto)
    private static final int VI_NAME = 1;
    private static final int VI_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_ELEM_TYPE = 1;
    private static final int TENSOR_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    public OnnxValueInfo {
        shape = shape == null ? null : List.copyOf(shape);
    }

    ProtoWriter encode() {
        ProtoWriter tensorType = new ProtoWriter().varint(TENSOR_ELEM_TYPE, elemType.code);
        if (shape != null) {
            ProtoWriter shapeProto = new ProtoWriter();
            for (Dim d : shape) {
                ProtoWriter dim =
                        d.isSymbolic()
                                ? new ProtoWriter().string(DIM_PARAM, d.symbol())
                                : new ProtoWriter().varint(DIM_VALUE, d.value());
                shapeProto.message(SHAPE_DIM, dim);
            }
            tensorType.message(TENSOR_SHAPE, shapeProto);
        }
        ProtoWriter type = new ProtoWriter().message(TYPE_TENSOR, tensorType);
        return new ProtoWriter().string(VI_NAME, name).message(VI_TYPE, type);
    }
}
