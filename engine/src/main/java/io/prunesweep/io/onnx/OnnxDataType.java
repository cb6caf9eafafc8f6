package io.prunesweep.io.onnx;

/**
 * The ONNX element types this exporter writes; codes are TensorProto.DataType values from
 * onnx.proto.
 */
public enum OnnxDataType {
    FLOAT(1, 4),
    INT64(7, 8);

    /** TensorProto.DataType code. */
    public final int code;

    /** Bytes per element in raw_data. */
    public final int byteSize;

    OnnxDataType(int code, int byteSize) {
        this.code = code;
        this.byteSize = byteSize;
    }
}
