package io.prunesweep.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prunesweep.TrainedFixture;
import io.prunesweep.cli.CliRun;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.SafeTensors.Content;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.PruneResult;
import io.prunesweep.prune.Pruner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pruning is deterministic to the byte: the quickstart sweep's prune stage (bn, ratio 0.2, global,
 * min_channels 8, round_to 8, seed 0) applied to the shipped dense fixture writes exactly the
 * pruned fixture the sweep wrote ({@code pruned-bn-r0.2.safetensors}, sha256 prefix 6ea2147a, not
 * shipped: this test derives it), and {@code prunesweep prune} with the same options writes the
 * same tensors and graph (its metadata says how it was called, so its bytes differ from the
 * stage's) and the same bytes every time.
 */
class PrunedFixtureReproducibilityTest {
    @TempDir Path dir;

    /**
     * The quickstart's prune stage for the pruned fixture (conf/sweeps/quickstart.yaml; lambda 0:
     * the dense model).
     */
    static final StageSettings QUICKSTART_BN_02 =
            new StageSettings(
                    "yolov8",
                    "n",
                    null,
                    "shapes:train=256,val=32",
                    TrainedFixture.IMGSZ,
                    16,
                    5,
                    0,
                    0,
                    "bn",
                    0.2,
                    "global",
                    8,
                    8);

    @Test
    void thePruneStageRewritesThePrunedFixtureByteForByte() throws Exception {
        assertEquals(
                TrainedFixture.DENSE_SHA256,
                sha256(TrainedFixture.densePath()),
                "the shipped dense fixture");
        Path out = dir.resolve("pruned.safetensors");
        try (YoloModel dense =
                Checkpoint.load(TrainedFixture.densePath().toString(), null, ai.djl.Device.cpu())) {
            // what EngineStageExecutor.pruneFinetune does, with the input path the sweep recorded
            PruneResult pr = Pruner.prune(dense, EngineStageExecutor.pruneConfig(QUICKSTART_BN_02));
            try (YoloModel pruned = pr.model()) {
                Checkpoint.save(
                        pruned,
                        out.toString(),
                        EngineStageExecutor.prunedMetadata(
                                TrainedFixture.PRUNED_FROM, QUICKSTART_BN_02));
            }
        }
        assertEquals(TrainedFixture.PRUNED_BN_02_SHA256, sha256(out), "re-pruned fixture");
        // the metadata's order is part of the bytes: fixed, not Map.of's per-JVM hash order
        assertEquals(
                List.of("prunesweep.pruned_from", "prunesweep.prune"),
                List.copyOf(EngineStageExecutor.prunedMetadata("x", QUICKSTART_BN_02).keySet()));
    }

    @Test
    void theCliPrunesTheSameTensorsAndTheSameBytesEveryTime() throws Exception {
        String dense = TrainedFixture.densePath().toString();
        Path reference = dir.resolve("stage.safetensors");
        try (YoloModel model = Checkpoint.load(dense, null, ai.djl.Device.cpu())) {
            PruneResult pr = Pruner.prune(model, EngineStageExecutor.pruneConfig(QUICKSTART_BN_02));
            try (YoloModel pruned = pr.model()) {
                Checkpoint.save(pruned, reference.toString(), Map.of());
            }
        }
        String[] sha = new String[2];
        for (int run = 0; run < 2; run++) {
            Path out = dir.resolve("cli" + run);
            CliRun r =
                    CliRun.of(
                            "prune",
                            "--weights",
                            dense,
                            "--method",
                            "bn",
                            "--ratio",
                            "0.2",
                            "--scope",
                            "global",
                            "--min-channels",
                            "8",
                            "--round-to",
                            "8",
                            "--imgsz",
                            "128",
                            "--out",
                            out.toString());
            assertEquals(0, r.code(), r.err());
            Path ckpt = out.resolve("pruned.safetensors");
            sha[run] = sha256(ckpt);
            Content cli = Checkpoint.read(ckpt.toString());
            Content stage = Checkpoint.read(reference.toString());
            assertEquals(
                    stage.metadata().get(Checkpoint.GRAPH_KEY),
                    cli.metadata().get(Checkpoint.GRAPH_KEY),
                    "graph");
            assertEquals(
                    List.copyOf(stage.tensors().keySet()),
                    List.copyOf(cli.tensors().keySet()),
                    "tensor names");
            for (Map.Entry<String, Tensor> e : stage.tensors().entrySet()) {
                Tensor c = cli.tensors().get(e.getKey());
                assertArrayEquals(e.getValue().shape(), c.shape(), e.getKey());
                assertArrayEquals(
                        e.getValue().data(), c.data(), e.getKey() + ": bit-identical values");
            }
        }
        assertEquals(sha[0], sha[1], "two CLI runs, two different files");
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
