package io.prunesweep.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prunesweep.InputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (8-byte little-endian header length, JSON header, raw little-endian data):
 * what ultralytics users export with two lines of Python, and what our own checkpoints are. Reads
 * F32, F16, BF16 (ultralytics keeps EMA weights in half precision) and integer tensors; writes F32.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** A tensor as float32 values (integer tensors converted), with its original dtype. */
    public record Tensor(String dtype, long[] shape, float[] data) {
        public static Tensor f32(long[] shape, float[] data) {
            return new Tensor("F32", shape, data);
        }

        public long size() {
            return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }
    }

    /** The content of a file: tensors in file order, and the free-form string metadata. */
    public record Content(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    public static Content read(InputStream in, String source) throws IOException {
        JsonNode root = readHeader(in, source);
        byte[] data = in.readAllBytes();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = metadata(root);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            String dtype = t.path("dtype").asText();
            long[] shape = new long[t.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.path("shape").get(i).asLong();
            }
            JsonNode offsets = t.path("data_offsets");
            if (offsets.size() != 2
                    || !offsets.get(0).canConvertToLong()
                    || !offsets.get(1).canConvertToLong()) {
                throw new InputException(
                        source
                                + ": tensor "
                                + e.getKey()
                                + " has no valid data_offsets in the header");
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            if (end > data.length || begin > end || begin < 0) {
                throw new InputException(
                        source + ": tensor " + e.getKey() + " lies outside the file (truncated?)");
            }
            checkLength(source, e.getKey(), dtype, shape, end - begin);
            tensors.put(
                    e.getKey(),
                    new Tensor(
                            dtype,
                            shape,
                            decode(dtype, data, (int) begin, (int) end, source, e.getKey())));
        }
        return new Content(tensors, metadata);
    }

    /** Bytes per element of the dtypes this reader decodes, or 0 for an unsupported dtype. */
    static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            default -> 0;
        };
    }

    private static InputException unsupportedDtype(String source, String name, String dtype) {
        return new InputException(
                source
                        + ": tensor "
                        + name
                        + " has unsupported dtype "
                        + dtype
                        + " (supported: F32, F16, BF16, F64, I64, I32)");
    }

    /**
     * The header's dtype and shape must account for exactly the bytes its offsets span: F16 over
     * F32-sized data (or the reverse) would otherwise load as wrong weights or fail deep inside the
     * engine.
     */
    private static void checkLength(
            String source, String name, String dtype, long[] shape, long bytes) {
        int size = dtypeSize(dtype);
        if (size == 0) {
            throw unsupportedDtype(source, name, dtype);
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new InputException(
                        source
                                + ": tensor "
                                + name
                                + " has a negative dimension in "
                                + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (elements * size != bytes) {
            throw new InputException(
                    source
                            + ": tensor "
                            + name
                            + " is "
                            + dtype
                            + " "
                            + Arrays.toString(shape)
                            + " = "
                            + elements
                            + " x "
                            + size
                            + " bytes = "
                            + elements * size
                            + " bytes, but its data_offsets span "
                            + bytes
                            + " bytes; the header does not match the data (wrong dtype?), not loaded");
        }
    }

    /** Only the string metadata: reads the header and stops, without the tensor bytes. */
    public static Map<String, String> readMetadata(InputStream in, String source)
            throws IOException {
        return metadata(readHeader(in, source));
    }

    private static JsonNode readHeader(InputStream in, String source) throws IOException {
        byte[] lenBytes = in.readNBytes(8);
        if (lenBytes.length < 8) {
            throw new InputException(source + ": not a safetensors file (shorter than 8 bytes)");
        }
        long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER) {
            throw new InputException(
                    source + ": not a safetensors file (header length " + headerLen + ")");
        }
        byte[] header = in.readNBytes((int) headerLen);
        if (header.length < headerLen) {
            throw new InputException(source + ": truncated safetensors header");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(header, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new InputException(
                    source + ": safetensors header is not JSON: " + e.getMessage(), e);
        }
        return root;
    }

    private static Map<String, String> metadata(JsonNode root) {
        Map<String, String> metadata = new LinkedHashMap<>();
        root.path("__metadata__")
                .fields()
                .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        return metadata;
    }

    private static float[] decode(
            String dtype, byte[] data, int begin, int end, String source, String name) {
        ByteBuffer b = ByteBuffer.wrap(data, begin, end - begin).order(ByteOrder.LITTLE_ENDIAN);
        int bytes = end - begin;
        switch (dtype) {
            case "F32":
                {
                    float[] v = new float[bytes / 4];
                    b.asFloatBuffer().get(v);
                    return v;
                }
            case "F16":
                {
                    float[] v = new float[bytes / 2];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = halfToFloat(b.getShort());
                    }
                    return v;
                }
            case "BF16":
                {
                    float[] v = new float[bytes / 2];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                    }
                    return v;
                }
            case "F64":
                {
                    float[] v = new float[bytes / 8];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) b.getDouble();
                    }
                    return v;
                }
            case "I64":
                {
                    float[] v = new float[bytes / 8];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = b.getLong();
                    }
                    return v;
                }
            case "I32":
                {
                    float[] v = new float[bytes / 4];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = b.getInt();
                    }
                    return v;
                }
            default:
                throw unsupportedDtype(source, name, dtype);
        }
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal
            return sign == 0 ? v : -v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    public static void write(
            OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long len = 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int pad =
                (8 - h.length % 8)
                        % 8; // keep tensor data 8-byte aligned, as the reference writer does
        ByteArrayOutputStream hb = new ByteArrayOutputStream();
        hb.write(h);
        for (int i = 0; i < pad; i++) {
            hb.write(' ');
        }
        byte[] headerBytes = hb.toByteArray();
        out.write(
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(headerBytes.length)
                        .array());
        out.write(headerBytes);
        for (Tensor t : tensors.values()) {
            ByteBuffer b = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.data());
            out.write(b.array());
        }
    }
}
