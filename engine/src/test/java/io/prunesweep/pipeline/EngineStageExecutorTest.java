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
 * The real stages of one grid point, in this JVM, on a tiny synthetic set: dense -> sparse -> prune+finetune,
 * each one epoch at 64 px. Checks the chain of checkpoints, the metrics the sweep turns into Parquet columns,
 * the ONNX artifact, and that a re-run of an interrupted point resumes instead of pruning again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineStageExecutorTest {
    Path dir;
    StageResult dense;
    StageResult sparse;

    static StageSettings settings(int epochs, double lambda, String method, double ratio) {
        return new StageSettings("yolov8", "n", null, "shapes:train=8,val=4", 64, 4, epochs, 0, lambda, method, ratio,
                "global", 8, 8);
    }

    StageResult run(StageKind kind, String id, StageSettings s, List<String> inputs) {
        StageRequest req = new StageRequest(kind, "test", id, s, inputs, dir.resolve(id).toUri().toString(), "cpu",
                null, 1, Map.of());
        return StageMain.execute(req, new PrintStream(new ByteArrayOutputStream()));
    }

    @BeforeAll
    void denseAndSparse(@TempDir Path tmp) {
        dir = tmp;
        System.setProperty("prunesweep.dataCache", dir.resolve("data").toString());
        dense = run(StageKind.DENSE, "d", settings(1, 0, null, 0), List.of());
        assertTrue(dense.ok(), () -> "dense failed: " + dense.error());
        sparse = run(StageKind.SPARSE, "s", settings(1, 0.01, null, 0), List.of(dense.artifacts().get(StageResult.CHECKPOINT)));
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
            for (int b = 0; b < 7; b++) histTotal += m.get("after.gamma_hist_" + b).longValue();
            assertTrue(histTotal > 1000, "every prunable BN channel is counted: " + histTotal);
        }
        assertEquals("sparse", sparse.epochs().get(0).phase());
    }

    @Test
    void pruneFinetuneShrinksExportsAndResumes() throws Exception {
        StageSettings s = settings(1, 0.01, "bn", 0.5);
        StageResult p = run(StageKind.PRUNE_FINETUNE, "p", s, List.of(sparse.artifacts().get(StageResult.CHECKPOINT)));
        assertTrue(p.ok(), () -> "point failed: " + p.error());
        Map<String, Double> m = p.metrics();
        assertEquals(sparse.metrics().get("after.params"), m.get("before.params"));
        assertEquals(sparse.metrics().get("after.map50_95"), m.get("before.map50_95"), 1e-12,
                "the input's accuracy travels in its checkpoint");
        assertTrue(m.get("after.params") < 0.7 * m.get("before.params"), m.toString());
        assertTrue(m.get("after.gflops") < m.get("before.gflops"));
        assertTrue(m.get("onnx.max_abs_diff") <= 1e-4);
        assertTrue(Files.size(Path.of(java.net.URI.create(p.artifacts().get("onnx")))) > 10_000);
        ModelGraph g = Checkpoint.storedGraph(Checkpoint.read(p.artifacts().get(StageResult.CHECKPOINT)), "ckpt");
        assertEquals(m.get("after.params"), (double) g.parameterCount());
        assertTrue(p.durations().containsKey("prune") && p.durations().containsKey("finetune"));

        // An interrupted re-run: the finetune's last checkpoint is there, so the point resumes, no second pruning.
        StageResult again = run(StageKind.PRUNE_FINETUNE, "p", s, List.of(sparse.artifacts().get(StageResult.CHECKPOINT)));
        assertTrue(again.ok(), () -> "re-run failed: " + again.error());
        assertFalse(again.durations().containsKey("prune"));
        assertEquals(m.get("after.params"), again.metrics().get("after.params"));
    }

    @Test
    void syntheticSpecIsValidated() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.prunesweep.InputException.class,
                () -> io.prunesweep.data.SyntheticDatasetSpec.parse("shapes:train=8,vall=4"));
        assertTrue(e.getMessage().contains("vall"), e.getMessage());
    }

    @Test
    void aTrainSplitWithoutBoxesFailsTheStageBeforeTraining(@TempDir Path data) throws Exception {
        io.prunesweep.data.SyntheticShapes.write(new org.apache.hadoop.fs.Path(data.toUri()),
                new io.prunesweep.data.SyntheticShapes.Options(4, 2, 64, 0, ".jpg"), new org.apache.hadoop.conf.Configuration());
        Files.move(data.resolve("labels"), data.resolve("label")); // the misnamed folder
        StageSettings s = new StageSettings("yolov8", "n", null, data.resolve("data.yaml").toString(), 64, 4, 1, 0, 0,
                null, 0, "global", 8, 8);
        StageResult r = run(StageKind.DENSE, "empty", s, List.of());
        assertFalse(r.ok());
        assertTrue(r.error().startsWith("io.prunesweep.InputException: " + data.resolve("data.yaml")
                + ": the train split has 0 boxes in 4 images (no label files: expected file:"
                + data.resolve("labels/train/000000.txt") + "); training would learn nothing. Fix the labels\n"), r.error());
    }
}
