package io.prunesweep.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prunesweep.TrainedFixture;
import io.prunesweep.io.onnx.OnnxRuntimeCheck.FloatTensor;
import io.prunesweep.io.onnx.YoloOnnxExporter.Check;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.Method;
import io.prunesweep.prune.Overrides;
import io.prunesweep.prune.PruneConfig;
import io.prunesweep.prune.PruneResult;
import io.prunesweep.prune.Pruner;
import io.prunesweep.prune.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The trained YOLOv8n fixture, pruned as the sweep prunes it, exports to ONNX and ONNX Runtime
 * computes what the engine computes ({@link YoloOnnxExporter#export}'s own check, the one {@code
 * prunesweep export} runs, plus the same comparison at batch 2 and on real images of the fixture's
 * dataset). ONNX Runtime is the independent reference: on the AVX-512 hosts whose oneDNN
 * miscomputed convolutions of pruned widths, exactly these exports failed (scores off by 0.01,
 * boxes by 7 px) while the dense model passed.
 */
class TrainedPrunedOnnxExportTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0} ratio {1} round_to {2}")
    @CsvSource({
        "bn,0,8",
        "bn,0.2,8",
        "bn,0.4,8",
        "bn,0.6,8",
        "l1,0.2,8",
        "l1,0.4,8",
        "l1,0.6,8",
        "l2,0.2,8",
        "l2,0.4,8",
        "l2,0.6,8",
        "random,0.2,8",
        "random,0.4,8",
        "random,0.6,8",
        "bn,0.2,1",
        "l1,0.4,1",
        "random,0.6,1"
    })
    void trainedPrunedModelExportsAndMatchesOnnxRuntime(String method, double ratio, int roundTo)
            throws Exception {
        PruneConfig cfg =
                new PruneConfig(
                        Method.parse(method),
                        Scope.GLOBAL,
                        ratio,
                        null,
                        null,
                        8,
                        roundTo,
                        Overrides.NONE,
                        1,
                        0,
                        true,
                        TrainedFixture.IMGSZ);
        String where = method + " " + ratio + " round_to " + roundTo;
        try (YoloModel dense = TrainedFixture.loadDense()) {
            PruneResult result = Pruner.prune(dense, cfg);
            try (YoloModel model = result.model()) {
                if (ratio > 0) {
                    assertFalse(
                            TrainedFixture.faultProneConvs(model.graph()).isEmpty(),
                            where + ": no conv has the widths the faulty kernels got wrong");
                }
                Path file = dir.resolve(method + "-" + ratio + "-" + roundTo + ".onnx");
                // what `prunesweep export` runs: batch 1, seed 0; a failed check throws and writes
                // nothing
                YoloOnnxExporter.Result r =
                        YoloOnnxExporter.export(model, file.toString(), TrainedFixture.IMGSZ);
                assertTrue(r.check().passed(), where + ": " + r.check());
                byte[] onnx = Files.readAllBytes(file);
                Check batch2 =
                        YoloOnnxExporter.check(
                                model, onnx, file.toString(), TrainedFixture.IMGSZ, 2, 1);
                assertTrue(batch2.passed(), where + " at batch 2: " + batch2);
                Check real = checkOnShapes(model, onnx, file.toString(), 4);
                assertTrue(real.passed(), where + " on the dataset's images: " + real);
                System.out.println(
                        "TrainedPrunedOnnxExportTest "
                                + where
                                + ": "
                                + r.check()
                                + "; images: "
                                + real);
            }
        }
    }

    /**
     * The exporter's comparison on the first {@code n} validation images of the fixture's dataset.
     */
    static Check checkOnShapes(YoloModel model, byte[] onnx, String label, int n) {
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = TrainedFixture.shapesBatch(m, n);
            NDArray y = model.predict(x);
            long[] shape = x.getShape().getShape();
            FloatTensor actual =
                    OnnxRuntimeCheck.run(
                                    onnx,
                                    label,
                                    Map.of(
                                            YoloOnnxExporter.INPUT,
                                            new FloatTensor(x.toFloatArray(), shape)))
                            .get(YoloOnnxExporter.OUTPUT);
            assertEquals(y.getShape(), new ai.djl.ndarray.types.Shape(actual.shape()), label);
            return YoloOnnxExporter.compare(
                    actual.data(),
                    y.toFloatArray(),
                    y.getShape().getShape(),
                    TrainedFixture.IMGSZ,
                    n);
        }
    }
}
