package io.prunesweep.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A constant tensor (graph initializer) in ONNX's TensorProto form: data stored as little-endian
 * raw_data, which every runtime reads and which is the most compact form for float weights.
 */
public record OnnxTensor(String name, OnnxDataType dataType, long[] dims, byte[] rawData) {
    // TensorProto field numbers (onnx.proto)
    private static final int DIMS = 1;
    private static final int DATA_TYPE = 2;
    private static final int NAME = 8;
    private static final int RAW_DATA = 9;

    public OnnxTensor {
        long count = elementCount(dims);
        if (rawData.length != count * dataType.byteSize) {
            throw new IllegalArgumentException(
                    "tensor '"
                            + name
                            + "': shape "
                            + Arrays.toString(dims)
                            + " needs "
                            + count
                            + " "
                            + dataType
                            + " values, got "
                            + rawData.length / dataType.byteSize);
        }
    }

    public static OnnxTensor ofFloats(String name, float[] data, long... dims) {
        checkCount(name, data.length, dims);
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        return new OnnxTensor(name, OnnxDataType.FLOAT, dims.clone(), buf.array());
    }

    public static OnnxTensor ofLongs(String name, long[] data, long... dims) {
        checkCount(name, data.length, dims);
        ByteBuffer buf = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(data);
        return new OnnxTensor(name, OnnxDataType.INT64, dims.clone(), buf.array());
    }

    public long elementCount() {
        return elementCount(dims);
    }

    ProtoWriter encode() {
        return new ProtoWriter()
                .packedInt64(DIMS, dims)
                .varint(DATA_TYPE, dataType.code)
                .string(NAME, name)
                .bytes(RAW_DATA, rawData);
    }

    private static void checkCount(String name, int length, long[] dims) {
        if (length != elementCount(dims)) {
            throw new IllegalArgumentException(
                    "tensor '"
                            + name
                            + "': shape "
                            + Arrays.toString(dims)
                            + " needs "
                            + elementCount(dims)
                            + " values, got "
                            + length);
        }
    }

    private static long elementCount(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "negative dimension in initializer shape " + Arrays.toString(dims));
            }
            n *= d;
        }
        return n;
    }
}
