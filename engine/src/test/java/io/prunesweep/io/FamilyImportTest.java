package io.prunesweep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Upstream state dicts of the new families (same key names: {@code model.24.m.0.weight}, {@code
 * model.24.anchors}, {@code model.23.one2one_cv3.0.2.bias}, {@code model.5.h_cw.conv.weight}, ...),
 * written in F16 with BatchNorm counters as ultralytics/YOLOv5 save them, are recognised by family,
 * scale and class count, and load every tensor.
 */
class FamilyImportTest {

    @ParameterizedTest(name = "{0}{1}")
    @CsvSource({
        "yolov5, s, model.24.anchors",
        "yolov10, n, model.23.one2one_cv3.0.2.bias",
        "yolov8-mca, n, model.5.h_cw.conv.weight"
    })
    void upstreamStateDictIsRecognisedAndLoaded(
            String family, String scale, String key, @TempDir Path dir) throws IOException {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled(family), scale, 4);
        Map<String, Tensor> sd;
        try (YoloModel model = YoloModel.create(g, 7, Device.cpu())) {
            sd = new LinkedHashMap<>(model.stateDict());
        }
        if (family.equals("yolov5")) {
            // AutoAnchor evolves anchors during upstream training: the file's anchors, not the
            // YAML's, must be used
            float[] evolved = sd.get(key).data().clone();
            for (int i = 0; i < evolved.length; i++) {
                evolved[i] *= 1.25f;
            }
            sd.put(key, Tensor.f32(sd.get(key).shape(), evolved));
        }
        Path file = dir.resolve(family + scale + ".safetensors");
        CheckpointTest.writeLikeUltralytics(file, sd);
        try (YoloModel imported = Checkpoint.load(file.toString(), null, Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(family, imported.graph().name());
            assertEquals(scale, imported.graph().scale());
            assertEquals(4, imported.graph().nc());
            float[] expected = sd.get(key).data();
            float[] got = imported.stateDict().get(key).data();
            assertEquals(expected.length, got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected[i], got[i], Math.abs(expected[i]) * 1e-3 + 1e-4, key);
            }
            long columns =
                    imported.predict(m.randomUniform(0f, 1f, new Shape(1, 3, 64, 64)))
                            .getShape()
                            .get(2);
            assertEquals(family.equals("yolov5") ? 3 * 84 : 84, columns);
        }
    }

    @ParameterizedTest
    @CsvSource({"yolov5", "yolov8-mca"})
    void checkpointKeepsLayerTensors(String family, @TempDir Path dir) {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled(family), "n", 2);
        String file = dir.resolve("c.safetensors").toString();
        try (YoloModel model = YoloModel.create(g, 3, Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            Checkpoint.save(model, file, Map.of());
            try (YoloModel back = Checkpoint.load(file, null, Device.cpu())) {
                assertEquals(g.toJson(), back.graph().toJson());
                var x = m.randomUniform(0f, 1f, new Shape(1, 3, 64, 64));
                assertArrayEquals(
                        model.predict(x).toFloatArray(), back.predict(x).toFloatArray(), 0f);
            }
        }
    }
}
