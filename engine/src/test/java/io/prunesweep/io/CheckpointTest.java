package io.prunesweep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prunesweep.InputException;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @Test
    void saveLoadGivesIdenticalOutputsAtPrunedWidths(@TempDir Path dir) {
        // a graph with a non-YAML width: layer 0 narrowed to 11 channels and layer 1's input to
        // match
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 3);
        List<Layer> layers = new ArrayList<>(g.layers());
        Layer l0 = layers.get(0);
        layers.set(
                0, l0.with(Map.of("", l0.conv("").withOut(11)), l0.attrs(), l0.inChannels(), 11));
        Layer l1 = layers.get(1);
        layers.set(
                1,
                l1.with(
                        Map.of("", l1.conv("").withIn(11)),
                        l1.attrs(),
                        new int[] {11},
                        l1.outChannels()));
        ModelGraph pruned = new ModelGraph(g.name(), g.scale(), g.nc(), 3, layers);

        String file = dir.resolve("ck.safetensors").toString();
        try (YoloModel model = YoloModel.create(pruned, 3, Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            // non-trivial BN statistics so that inference mode really uses them
            model.network()
                    .parameters()
                    .get("model.0.bn.running_var")
                    .getArray()
                    .set(m.randomUniform(0.5f, 2f, new Shape(11)).toFloatArray());
            Checkpoint.save(model, file, Map.of("epoch", "4"));
            NDArray x = m.randomUniform(0f, 1f, new Shape(1, 3, 64, 64));
            float[] before = model.predict(x).toFloatArray();
            try (YoloModel back = Checkpoint.load(file, null, Device.cpu())) {
                assertEquals(11, back.graph().layers().get(0).outChannels());
                assertEquals(pruned.parameterCount(), back.graph().parameterCount());
                float[] after = back.predict(x).toFloatArray();
                assertEquals(before.length, after.length);
                for (int i = 0; i < before.length; i++) {
                    assertEquals(before[i], after[i], 0f);
                }
            }
            assertEquals("4", Checkpoint.read(file).metadata().get("epoch"));
        }
    }

    @Test
    void importsUltralyticsStateDictInHalfPrecisionAndRecognisesTheModel(@TempDir Path dir)
            throws IOException {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolo11"), "n", 4);
        Path file = dir.resolve("yolo11n-custom.safetensors");
        Map<String, Tensor> sd;
        try (YoloModel model = YoloModel.create(g, 11, Device.cpu())) {
            sd = model.stateDict();
        }
        writeLikeUltralytics(file, sd);
        try (YoloModel imported = Checkpoint.load(file.toString(), null, Device.cpu())) {
            assertEquals("yolo11", imported.graph().name());
            assertEquals("n", imported.graph().scale());
            assertEquals(4, imported.graph().nc());
            Tensor w = imported.stateDict().get("model.10.m.0.attn.qkv.conv.weight");
            Tensor orig = sd.get("model.10.m.0.attn.qkv.conv.weight");
            for (int i = 0; i < w.data().length; i++) {
                assertEquals(
                        orig.data()[i],
                        w.data()[i],
                        Math.abs(orig.data()[i]) * 1e-3 + 1e-4,
                        "F16 rounding only");
            }
        }
    }

    @Test
    void mismatchListsMissingUnexpectedAndWrongShapes(@TempDir Path dir) throws IOException {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2);
        Map<String, Tensor> sd;
        try (YoloModel model = YoloModel.create(g, 1, Device.cpu())) {
            sd = new HashMap<>(model.stateDict());
        }
        sd.remove("model.4.m.1.cv2.conv.weight");
        sd.put("model.99.extra.weight", Tensor.f32(new long[] {1}, new float[] {0}));
        sd.put("model.0.bn.weight", Tensor.f32(new long[] {8}, new float[8]));
        Path file = dir.resolve("bad.safetensors");
        try (var out = Files.newOutputStream(file)) {
            SafeTensors.write(out, sd, Map.of());
        }
        InputException e =
                assertThrows(
                        InputException.class,
                        () -> Checkpoint.load(file.toString(), g, Device.cpu()));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(file + ": weights do not fit model yolov8n (nc=2)"), msg);
        assertTrue(msg.contains("1 missing: model.4.m.1.cv2.conv.weight"), msg);
        assertTrue(msg.contains("1 unexpected: model.99.extra.weight"), msg);
        assertTrue(msg.contains("1 wrong shape: model.0.bn.weight [8] (expected [16])"), msg);
    }

    @Test
    void metadataIsReadFromTheHeaderAlone(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.safetensors");
        try (YoloModel model =
                YoloModel.create(
                        GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2),
                        0,
                        Device.cpu())) {
            Checkpoint.save(model, file.toString(), Map.of("train.epoch", "4"));
        }
        Map<String, String> full = Checkpoint.read(file.toString()).metadata();
        assertEquals(full, Checkpoint.metadata(file.toString()));
        assertEquals("4", full.get("train.epoch"));
        // cut the tensors off: a full read fails, the metadata still comes from the header
        byte[] bytes = Files.readAllBytes(file);
        long header = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Path cut =
                Files.write(
                        dir.resolve("cut.safetensors"),
                        java.util.Arrays.copyOf(bytes, (int) (8 + header)));
        assertThrows(InputException.class, () -> Checkpoint.read(cut.toString()));
        assertEquals(full, Checkpoint.metadata(cut.toString()));
    }

    @Test
    void notSafetensorsIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.safetensors");
        Files.writeString(file, "hello");
        InputException e =
                assertThrows(
                        InputException.class,
                        () -> Checkpoint.load(file.toString(), null, Device.cpu()));
        assertTrue(e.getMessage().startsWith(file + ": not a safetensors file"), e.getMessage());
    }

    @Test
    void halfPrecisionDecoding() {
        assertEquals(1.0f, SafeTensors.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, SafeTensors.halfToFloat((short) 0xc000));
        assertEquals(65504f, SafeTensors.halfToFloat((short) 0x7bff));
        assertEquals(5.9604645e-8f, SafeTensors.halfToFloat((short) 0x0001));
        assertNotNull(SafeTensors.halfToFloat((short) 0x7c00));
        assertEquals(Float.POSITIVE_INFINITY, SafeTensors.halfToFloat((short) 0x7c00));
    }

    /**
     * Writes F16 tensors plus an I64 num_batches_tracked per BatchNorm, as an ultralytics EMA state
     * dict is.
     */
    static void writeLikeUltralytics(Path file, Map<String, Tensor> sd) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (var e : sd.entrySet()) {
            float[] v = e.getValue().data();
            ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                b.putShort(floatToHalf(f));
            }
            add(header, e.getKey(), "F16", e.getValue().shape(), data, b.array());
            if (e.getKey().endsWith("bn.running_var")) {
                String k = e.getKey().replace("running_var", "num_batches_tracked");
                add(
                        header,
                        k,
                        "I64",
                        new long[] {},
                        data,
                        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(7).array());
            }
        }
        byte[] h = json.writeValueAsBytes(header);
        try (var out = Files.newOutputStream(file)) {
            out.write(
                    ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(h.length)
                            .array());
            out.write(h);
            data.writeTo(out);
        }
    }

    private static void add(
            ObjectNode header,
            String key,
            String dtype,
            long[] shape,
            ByteArrayOutputStream data,
            byte[] bytes) {
        ObjectNode t = header.putObject(key);
        t.put("dtype", dtype);
        var s = t.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        t.putArray("data_offsets").add(data.size()).add(data.size() + bytes.length);
        data.writeBytes(bytes);
    }

    static short floatToHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (exp <= 0) {
            return (short) sign; // flush tiny values to zero: fine for this test's weights
        }
        if (exp >= 31) {
            return (short) (sign | 0x7c00);
        }
        int half = sign | (exp << 10) | (mant >>> 13);
        if ((mant & 0x1000) != 0) {
            half++; // round half up
        }
        return (short) half;
    }
}
