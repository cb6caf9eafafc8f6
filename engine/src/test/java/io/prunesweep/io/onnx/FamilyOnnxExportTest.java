package io.prunesweep.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import io.prunesweep.io.onnx.OnnxRuntimeCheck.FloatTensor;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exports of the anchor-based YOLOv5 (anchor decode), YOLOv10 (SCDown, C2fCIB with RepVGGDW, PSA,
 * one-to-one top-k decode) and YOLOv8+MCA (the module's own OnnxExportable) run in ONNX Runtime and
 * match the engine's forward.
 */
class FamilyOnnxExportTest {
    private static final int IMGSZ = 64;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"yolov5, 252", "yolov10, 84", "yolov8-mca, 84"})
    void exportMatchesEngine(String family, long columns, @TempDir Path dir) {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled(family), "n", 3);
        try (YoloModel model = YoloModel.create(g, 1, Device.cpu())) {
            YoloOnnxExporterTest.sensitiveWeights(model, 1);
            for (Map.Entry<String, Parameter> e : model.network().parameters().entrySet()) {
                // YOLOv5's objectness prior (~0.001) would hide the class scores from the
                // sensitivity check
                if (e.getKey().matches("model\\.\\d+\\.m\\.\\d\\.bias")) {
                    e.getValue().getArray().set(new float[(int) e.getValue().getArray().size()]);
                }
            }
            double seen = YoloOnnxExporterTest.inputSensitivity(model, IMGSZ);
            assertTrue(
                    seen > 1e-3,
                    "the network must see its input for the check to mean anything: " + seen);
            Path file = dir.resolve(family + ".onnx");
            YoloOnnxExporter.Result r = YoloOnnxExporter.export(model, file.toString(), IMGSZ);
            assertTrue(r.check().passed(), r.check().toString());
            System.out.println(family + "n: " + r.check());
            Map<String, FloatTensor> out =
                    OnnxRuntimeCheck.run(
                            file,
                            Map.of(
                                    "images",
                                    new FloatTensor(
                                            new float[2 * 3 * IMGSZ * IMGSZ],
                                            new long[] {2, 3, IMGSZ, IMGSZ})));
            assertArrayEquals(new long[] {2, 4 + 3, columns}, out.get("output0").shape());
            // the metadata tells val whether the output is final: YOLOv10's one-to-one head needs
            // no NMS
            try (OnnxPredictor p = OnnxPredictor.open(file.toString())) {
                assertEquals(family.equals("yolov10"), p.nmsFree(), p.metadata().toString());
                assertEquals(32, p.stride(), p.metadata().toString());
                assertEquals("[64, 64]", p.metadata().get("imgsz"));
                assertEquals(family + "n", p.modelName());
                assertEquals(3, p.nc());
                assertArrayEquals(new long[] {-1, 3, IMGSZ, IMGSZ}, p.inputShape());
            }
        }
    }

    /**
     * An untrained YOLOv10 is nearly blind: hundreds of one-to-one scores equal to float precision,
     * which TopK orders differently in DJL and ONNX Runtime. The check pairs such columns and
     * compares the dense output exactly.
     */
    @Test
    void untrainedYolov10ExportsDespiteTies(@TempDir Path dir) {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolov10"), "n", 3);
        try (YoloModel model = YoloModel.create(g, 0, Device.cpu())) {
            YoloOnnxExporter.Result r =
                    YoloOnnxExporter.export(model, dir.resolve("v10.onnx").toString(), 128);
            assertTrue(r.check().passed(), r.check().toString());
        }
    }

    @Test
    void columnsPairUpToTiesButNotOtherwise() {
        // [1, 4 + 2, 3]: columns (box x, y, w, h, score class 0, score class 1)
        float[] expected = {10, 20, 30, 1, 2, 3, 1, 1, 1, 1, 1, 1, 0.5f, 0.5f, 0, 0, 0, 0.2f};
        float[] swapped = {20, 10, 30, 2, 1, 3, 1, 1, 1, 1, 1, 1, 0.5f, 0.5f, 0, 0, 0, 0.2f};
        long[] shape = {1, 6, 3};
        assertArrayEquals(expected, DetectionColumns.align(swapped, expected, shape, 1e-4));
        float[] wrongBox = swapped.clone();
        wrongBox[1] = 12; // the column with box x 10 now says 12: nothing matches it
        float[] aligned = DetectionColumns.align(wrongBox, expected, shape, 1e-4);
        assertTrue(
                Float.isNaN(aligned[0]),
                "an unmatched column above the lowest score fails the check");
    }
}
