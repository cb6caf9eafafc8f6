package io.prunesweep.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.io.Checkpoint;
import io.prunesweep.model.ModelGraph;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real stages of one grid point, in this JVM, on a tiny synthetic set: dense -> sparse ->
 * prune+finetune, each one epoch at 64 px. Checks the chain of checkpoints, the metrics the sweep
 * turns into Parquet columns, the ONNX artifact, and that a re-run of an interrupted point resumes
 * instead of pruning again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineStageExecutorTest {
    Path dir;
    StageResult dense;
    StageResult sparse;

    static StageSettings settings(int epochs, double lambda, String method, double ratio) {
        return new StageSettings(
                "yolov8",
                "n",
                null,
                "shapes:train=8,val=4",
                64,
                4,
                epochs,
                0,
                lambda,
                method,
                ratio,
                "global",
                8,
                8);
    }

    StageResult run(StageKind kind, String id, StageSettings s, List<String> inputs) {
        StageRequest req =
                new StageRequest(
                        kind,
                        "test",
                        id,
                        s,
                        inputs,
                        dir.resolve(id).toUri().toString(),
                        "cpu",
                        null,
                        1,
                        Map.of());
        return StageMain.execute(req, new PrintStream(new ByteArrayOutputStream()));
    }

    @BeforeAll
    void denseAndSparse(@TempDir Path tmp) {
        dir = tmp;
        System.setProperty("prunesweep.dataCache", dir.resolve("data").toString());
        dense = run(StageKind.DENSE, "d", settings(1, 0, null, 0), List.of());
        assertTrue(dense.ok(), () -> "dense failed: " + dense.error());
        sparse =
                run(
                        StageKind.SPARSE,
                        "s",
                        settings(1, 0.01, null, 0),
                        List.of(dense.artifacts().get(StageResult.CHECKPOINT)));
        assertTrue(sparse.ok(), () -> "sparse failed: " + sparse.error());
    }

    @Test
    void denseAndSparseReportTheirModelAndCurve() {
        for (StageResult r : List.of(dense, sparse)) {
            Map<String, Double> m = r.metrics();
            assertEquals(3_011_433, m.get("after.params"), 0.5, "YOLOv8n at nc=3");
            assertTrue(m.get("after.map50_95") >= 0 && m.get("after.map50_95") <= 1);
            assertTrue(m.get("after.latency_p50_ms") > 0);
            assertEquals(1, r.epochs().size());
            assertTrue(r.epochs().get(0).values().get(MetricKeys.BOX_LOSS) > 0);
            long histTotal = 0;
            for (int b = 0; b < 7; b++) {
                histTotal += m.get("after.gamma_hist_" + b).longValue();
            }
            assertTrue(histTotal > 1000, "every prunable BN channel is counted: " + histTotal);
        }
        assertEquals("sparse", sparse.epochs().get(0).phase());
    }

    @Test
    void pruneFinetuneShrinksExportsAndResumes() throws Exception {
        StageSettings s = settings(1, 0.01, "bn", 0.5);
        StageResult p =
                run(
                        StageKind.PRUNE_FINETUNE,
                        "p",
                        s,
                        List.of(sparse.artifacts().get(StageResult.CHECKPOINT)));
        assertTrue(p.ok(), () -> "point failed: " + p.error());
        Map<String, Double> m = p.metrics();
        assertEquals(sparse.metrics().get("after.params"), m.get("before.params"));
        assertEquals(
                sparse.metrics().get("after.map50_95"),
                m.get("before.map50_95"),
                1e-12,
                "the input's accuracy travels in its checkpoint");
        assertTrue(m.get("after.params") < 0.7 * m.get("before.params"), m.toString());
        assertTrue(m.get("after.gflops") < m.get("before.gflops"));
        assertTrue(m.get("onnx.max_abs_diff") <= 1e-4);
        assertTrue(Files.size(Path.of(java.net.URI.create(p.artifacts().get("onnx")))) > 10_000);
        ModelGraph g =
                Checkpoint.storedGraph(
                        Checkpoint.read(p.artifacts().get(StageResult.CHECKPOINT)), "ckpt");
        assertEquals(m.get("after.params"), (double) g.parameterCount());
        assertTrue(p.durations().containsKey("prune") && p.durations().containsKey("finetune"));
        assertFalse(p.durations().containsKey("reconstruct"));
        assertEquals(
                m.get("after.params"),
                m.get("after.nonzero_params"),
                "structured: every parameter is nonzero");
        assertTrue(
                m.get("after_prune.map50_95") >= 0 && m.get("after_prune.map50_95") <= 1,
                m.toString());
        assertTrue(m.get("after.checkpoint_gzip_bytes") < m.get("after.checkpoint_bytes"));
        assertTrue(
                m.get("after.checkpoint_bytes") > 4 * m.get("after.params"),
                "float32 weights and BN statistics");

        // An interrupted re-run: the finetune's last checkpoint is there, so the point resumes, no
        // second pruning.
        StageResult again =
                run(
                        StageKind.PRUNE_FINETUNE,
                        "p",
                        s,
                        List.of(sparse.artifacts().get(StageResult.CHECKPOINT)));
        assertTrue(again.ok(), () -> "re-run failed: " + again.error());
        assertFalse(again.durations().containsKey("prune"));
        assertEquals(m.get("after.params"), again.metrics().get("after.params"));
    }

    @Test
    void reconstructionRunsBetweenPruningAndFinetuning() {
        StageSettings s = settings(0, 0.01, "l1", 0.5).withReconstruct(true);
        StageResult p =
                run(
                        StageKind.PRUNE_FINETUNE,
                        "pr",
                        s,
                        List.of(sparse.artifacts().get(StageResult.CHECKPOINT)));
        assertTrue(p.ok(), () -> "point failed: " + p.error());
        Map<String, Double> m = p.metrics();
        assertTrue(p.durations().get("reconstruct") > 0, p.durations().toString());
        assertTrue(m.get("reconstruct.convs") > 30, m.toString());
        double kept = m.get("reconstruct.kept_unrefitted");
        assertTrue(kept >= 0 && kept < m.get("reconstruct.convs"), m.toString());
        assertTrue(
                m.get("reconstruct.mean_relative_error_after")
                        < m.get("reconstruct.mean_relative_error_before"),
                m.toString());
        // no finetune: the model measured after the stage is the re-fitted one
        assertEquals(m.get("after.map50_95"), m.get("after_prune.map50_95"), 1e-12);
    }

    @Test
    void unstructuredKeepsShapesAndItsZerosThroughFinetuning() throws Exception {
        StageSettings s = settings(1, 0, "unstructured", 0.6);
        StageResult p =
                run(
                        StageKind.PRUNE_FINETUNE,
                        "pu",
                        s,
                        List.of(dense.artifacts().get(StageResult.CHECKPOINT)));
        assertTrue(p.ok(), () -> "point failed: " + p.error());
        Map<String, Double> m = p.metrics();
        assertEquals(m.get("before.params"), m.get("after.params"), "dense shapes");
        assertEquals(m.get("before.gflops"), m.get("after.gflops"), 1e-9);
        assertEquals(
                m.get("before.checkpoint_bytes"),
                m.get("after.checkpoint_bytes"),
                "dense format, same bytes");
        assertTrue(
                m.get("after.checkpoint_gzip_bytes") < 0.75 * m.get("before.checkpoint_gzip_bytes"),
                m.toString());
        // 60 % of the conv weights (nearly all parameters) are 0 after finetuning: the masks held
        double zeroed = m.get("after.params") - m.get("after.nonzero_params");
        assertTrue(
                zeroed > 0.55 * m.get("after.params") && zeroed < 0.6 * m.get("after.params"),
                m.toString());
        // the dense model with zeros exports; the stage is ok only if ONNX Runtime's check passed
        // (scores within 1e-4,
        // boxes within 1e-4 relative: float32's resolution at these pixel coordinates)
        assertTrue(Files.size(Path.of(java.net.URI.create(p.artifacts().get("onnx")))) > 10_000);
        assertTrue(
                m.get("onnx.max_abs_diff") < 1e-3,
                "engine vs ONNX Runtime: " + m.get("onnx.max_abs_diff"));
        try (var pruned = Checkpoint.load(p.artifacts().get("pruned"), null, ai.djl.Device.cpu());
                var tuned =
                        Checkpoint.load(
                                p.artifacts().get(StageResult.CHECKPOINT),
                                null,
                                ai.djl.Device.cpu())) {
            var a = pruned.stateDict();
            var b = tuned.stateDict();
            int moved = 0;
            int zerosKept = 0;
            for (String name :
                    io.prunesweep.prune.unstructured.MaskedWeights.names(pruned.graph())) {
                float[] x = a.get(name).data();
                float[] y = b.get(name).data();
                for (int i = 0; i < x.length; i++) {
                    if (x[i] == 0f) {
                        assertEquals(0f, y[i], name + "[" + i + "] was masked");
                        zerosKept++;
                    } else if (x[i] != y[i]) {
                        moved++;
                    }
                }
            }
            assertTrue(
                    zerosKept > 1_000_000 && moved > 100_000,
                    "zeros kept " + zerosKept + ", trained weights " + moved);
        }
    }

    @Test
    void syntheticSpecIsValidated() {
        var e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        io.prunesweep.InputException.class,
                        () ->
                                io.prunesweep.data.SyntheticDatasetSpec.parse(
                                        "shapes:train=8,vall=4"));
        assertTrue(e.getMessage().contains("vall"), e.getMessage());
    }

    @Test
    void aTrainSplitWithoutBoxesFailsTheStageBeforeTraining(@TempDir Path data) throws Exception {
        io.prunesweep.data.SyntheticShapes.write(
                new org.apache.hadoop.fs.Path(data.toUri()),
                new io.prunesweep.data.SyntheticShapes.Options(4, 2, 64, 0, ".jpg"),
                new org.apache.hadoop.conf.Configuration());
        Files.move(data.resolve("labels"), data.resolve("label")); // the misnamed folder
        StageSettings s =
                new StageSettings(
                        "yolov8",
                        "n",
                        null,
                        data.resolve("data.yaml").toString(),
                        64,
                        4,
                        1,
                        0,
                        0,
                        null,
                        0,
                        "global",
                        8,
                        8);
        StageResult r = run(StageKind.DENSE, "empty", s, List.of());
        assertFalse(r.ok());
        assertTrue(
                r.error()
                        .startsWith(
                                "io.prunesweep.InputException: "
                                        + data.resolve("data.yaml")
                                        + ": the train split has 0 boxes in 4 images (no label files: expected file:"
                                        + data.resolve("labels/train/000000.txt")
                                        + "); training would learn nothing. Fix the labels\n"),
                r.error());
    }
}
