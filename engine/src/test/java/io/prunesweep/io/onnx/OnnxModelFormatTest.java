package io.prunesweep.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.prunesweep.io.onnx.OnnxRuntimeCheck.FloatTensor;
import io.prunesweep.model.nn.BatchNormFolding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wire encoding, the ModelProto header and the builder's naming and wiring checks. */
class OnnxModelFormatTest {

    @Test
    void wireEncodingMatchesProtobufSpecExamples() {
        // examples from the protobuf encoding guide: field 1 = 150, field 2 = "testing"
        assertEquals("089601", hex(new ProtoWriter().varint(1, 150).toBytes()));
        assertEquals("120774657374696e67", hex(new ProtoWriter().string(2, "testing").toBytes()));
        // negative int64 takes ten bytes (two's complement, 64 bits)
        assertEquals("08ffffffffffffffffff01", hex(new ProtoWriter().varint(1, -1).toBytes()));
        // float as little-endian fixed32 (wire type 5): 1.0f = 0x3f800000
        assertEquals("150000803f", hex(new ProtoWriter().fixed32Float(2, 1f).toBytes()));
        // packed int64: one length-delimited field
        assertEquals(
                "0a0403038e02",
                hex(new ProtoWriter().packedInt64(1, new long[] {3, 3, 270}).toBytes()));
    }

    @Test
    void modelHeaderCarriesIrVersionOpsetAndProducer() throws Exception {
        byte[] bytes = tinyGraph().toBytes();
        Map<Integer, List<Object>> model = decode(bytes);
        assertEquals(List.of(8L), model.get(1), "ir_version");
        assertEquals(
                "prunesweep", new String((byte[]) model.get(2).get(0), StandardCharsets.UTF_8));
        Map<Integer, List<Object>> opset = decode((byte[]) model.get(8).get(0));
        assertEquals(List.of(17L), opset.get(2), "opset version");
        assertEquals(0, ((byte[]) opset.get(1).get(0)).length, "default domain");

        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(bytes)) {
            assertEquals("prunesweep", s.getMetadata().getProducerName());
            assertEquals("tiny", s.getMetadata().getGraphName());
            TensorInfo in = (TensorInfo) s.getInputInfo().get("images").getInfo();
            assertArrayEquals(new long[] {-1, 2, 4, 4}, in.getShape());
            assertEquals("batch", in.getDimensionNames()[0]);
        }
    }

    @Test
    void symbolicBatchRunsAtAnyBatchSizeAndNegativeReshapeDimsSurvive() {
        byte[] bytes = tinyGraph().toBytes();
        for (int batch : new int[] {1, 3}) {
            float[] x = new float[batch * 2 * 4 * 4];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;
            }
            FloatTensor y =
                    OnnxRuntimeCheck.run(
                                    bytes, "tiny", new FloatTensor(x, new long[] {batch, 2, 4, 4}))
                            .get("flat");
            assertArrayEquals(new long[] {batch, 32}, y.shape());
            assertEquals(
                    2f * (x.length - 1), y.data()[y.data().length - 1], 0f); // x + x, order kept
        }
    }

    @Test
    void writeRenamesIntoPlaceAndTheFileLoads(@TempDir Path dir) throws Exception {
        OnnxGraphBuilder g = tinyGraph();
        Path file = g.write(dir.resolve("sub/model.onnx"));
        assertArrayEquals(g.toBytes(), Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
        FloatTensor y =
                OnnxRuntimeCheck.run(file, new FloatTensor(new float[32], new long[] {1, 2, 4, 4}))
                        .get("flat");
        assertArrayEquals(new long[] {1, 32}, y.shape());
    }

    @Test
    void builderGeneratesUniqueNamesAndRejectsMiswiring() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("names");
        String x = g.input("x", "batch", 4);
        String a = g.sigmoid(x);
        String b = g.sigmoid(a);
        String w1 = g.initializer("w", new float[] {1f}, 1);
        String w2 = g.initializer("w", new float[] {2f}, 1);
        assertEquals(List.of("Sigmoid_out", "Sigmoid_out_1", "w", "w_1"), List.of(a, b, w1, w2));

        var missing = assertThrows(IllegalArgumentException.class, () -> g.mul(b, "nope"));
        assertTrue(
                missing.getMessage().contains("'nope'") && missing.getMessage().contains("names"),
                missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.input("x", 4));
        assertThrows(
                IllegalArgumentException.class,
                () -> g.node("Relu", List.of(x), List.of(a), List.of()),
                "output produced twice");
        assertThrows(IllegalStateException.class, g::build, "no outputs yet");
        var badShape =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> g.initializer("w", new float[5], 2, 3));
        assertTrue(badShape.getMessage().contains("[2, 3]"), badShape.getMessage());
    }

    @Test
    void batchNormFoldingFollowsTheFormula() {
        // 2 output channels, 2 weights each; second conv has a bias
        float[] w = {1f, 2f, 3f, 4f};
        float[] gamma = {2f, 0.5f};
        float[] beta = {0.1f, -0.2f};
        float[] mean = {1f, -1f};
        float[] var = {3f, 0.25f};
        float eps = 1f;
        BatchNormFolding.Folded f =
                BatchNormFolding.fold(w, new float[] {0.5f, 0.5f}, 2, gamma, beta, mean, var, eps);
        // s = gamma / sqrt(var + eps) = {1, 0.5 / sqrt(1.25)}
        double s1 = 0.5 / Math.sqrt(1.25);
        assertArrayEquals(
                new float[] {1f, 2f, (float) (3 * s1), (float) (4 * s1)}, f.weight(), 1e-7f);
        assertArrayEquals(
                new float[] {0.1f + (0.5f - 1f), (float) (-0.2 + 1.5 * s1)}, f.bias(), 1e-7f);
        assertThrows(
                IllegalArgumentException.class,
                () -> BatchNormFolding.fold(w, 3, gamma, beta, mean, var, eps));
    }

    // ---- helpers
    // -----------------------------------------------------------------------------------

    /** x [batch, 2, 4, 4] -> (x + x) reshaped to [batch, -1] named "flat". */
    private static OnnxGraphBuilder tinyGraph() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("tiny");
        String x = g.input("images", "batch", 2, 4, 4);
        String y = g.identity(g.reshape(g.add(x, x), 0, -1), "flat");
        g.output(y, "batch", 32);
        return g;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /**
     * A minimal independent protobuf reader: field number -> values (Long for varints, byte[]
     * otherwise).
     */
    private static Map<Integer, List<Object>> decode(byte[] b) {
        Map<Integer, List<Object>> fields = new java.util.TreeMap<>();
        int[] pos = {0};
        while (pos[0] < b.length) {
            long tag = readVarint(b, pos);
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            Object value =
                    switch (wire) {
                        case 0 -> readVarint(b, pos);
                        case 2 -> {
                            int len = (int) readVarint(b, pos);
                            byte[] v = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len);
                            pos[0] += len;
                            yield v;
                        }
                        case 5 -> {
                            byte[] v = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + 4);
                            pos[0] += 4;
                            yield v;
                        }
                        default -> throw new AssertionError("unexpected wire type " + wire);
                    };
            fields.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
        }
        return fields;
    }

    private static long readVarint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[pos[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if (x < 0x80) {
                return v;
            }
        }
    }
}
