package io.prunesweep.io.onnx;

/**
 * A node attribute (AttributeProto) of one of the kinds YOLO export needs: int, ints, float,
 * floats, string. The value is a Long, long[], Float, float[] or String matching {@link Kind}.
 */
public record OnnxAttribute(String name, Kind kind, Object value) {
    // AttributeProto field numbers (onnx.proto)
    private static final int NAME = 1;
    private static final int F = 2;
    private static final int I = 3;
    private static final int S = 4;
    private static final int FLOATS = 7;
    private static final int INTS = 8;
    private static final int TYPE = 20;

    /** The kinds we write, with their AttributeProto.AttributeType codes. */
    public enum Kind {
        FLOAT(1),
        INT(2),
        STRING(3),
        FLOATS(6),
        INTS(7);

        final int code;

        Kind(int code) {
            this.code = code;
        }
    }

    public static OnnxAttribute ofInt(String name, long value) {
        return new OnnxAttribute(name, Kind.INT, value);
    }

    public static OnnxAttribute ofInts(String name, long... values) {
        return new OnnxAttribute(name, Kind.INTS, values.clone());
    }

    public static OnnxAttribute ofInts(String name, int... values) {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = values[i];
        }
        return new OnnxAttribute(name, Kind.INTS, longs);
    }

    public static OnnxAttribute ofFloat(String name, float value) {
        return new OnnxAttribute(name, Kind.FLOAT, value);
    }

    public static OnnxAttribute ofFloats(String name, float... values) {
        return new OnnxAttribute(name, Kind.FLOATS, values.clone());
    }

    public static OnnxAttribute ofString(String name, String value) {
        return new OnnxAttribute(name, Kind.STRING, value);
    }

    ProtoWriter encode() {
        ProtoWriter w = new ProtoWriter().string(NAME, name).varint(TYPE, kind.code);
        switch (kind) {
            case INT -> w.varint(I, (Long) value);
            case INTS -> w.packedInt64(INTS, (long[]) value);
            case FLOAT -> w.fixed32Float(F, (Float) value);
            case FLOATS -> w.packedFloat(FLOATS, (float[]) value);
            case STRING -> w.string(S, (String) value);
        }
        return w;
    }
}
