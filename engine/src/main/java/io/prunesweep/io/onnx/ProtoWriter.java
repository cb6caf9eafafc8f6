package io.prunesweep.io.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few pieces of the protobuf wire format that ONNX needs: varints, length-delimited fields
 * (bytes, strings, nested messages) and packed int64. Hand-written because protobuf-java on the
 * engine's classpath would clash with the copies Spark and Hadoop bring.
 *
 * <p>Fields are written in the order they are called; protobuf readers accept any order. Proto3
 * default values are not skipped here: callers leave out what they do not need.
 */
final class ProtoWriter {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_LENGTH_DELIMITED = 2;
    private static final int WIRE_FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long value) {
        tag(field, WIRE_VARINT);
        rawVarint(value);
        return this;
    }

    ProtoWriter fixed32Float(int field, float value) {
        tag(field, WIRE_FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write((bits >>> (8 * i)) & 0xFF); // little-endian
        }
        return this;
    }

    ProtoWriter bytes(int field, byte[] value) {
        tag(field, WIRE_LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter nested) {
        return bytes(field, nested.toBytes());
    }

    /** A repeated int64 in packed form (one length-delimited field holding the varints). */
    ProtoWriter packedInt64(int field, long[] values) {
        ProtoWriter body = new ProtoWriter();
        for (long v : values) {
            body.rawVarint(v);
        }
        return bytes(field, body.toBytes());
    }

    /** A repeated float in packed form (one length-delimited field of little-endian fixed32s). */
    ProtoWriter packedFloat(int field, float[] values) {
        ProtoWriter body = new ProtoWriter();
        for (float v : values) {
            int bits = Float.floatToRawIntBits(v);
            for (int i = 0; i < 4; i++) {
                body.out.write((bits >>> (8 * i)) & 0xFF);
            }
        }
        return bytes(field, body.toBytes());
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    /** Base-128 varint; negative int64 values take the full ten bytes, as protobuf specifies. */
    private void rawVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
