package io.prunesweep.io.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.InputException;
import io.prunesweep.io.onnx.OnnxRuntimeCheck.Comparison;
import io.prunesweep.io.onnx.OnnxRuntimeCheck.FloatTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Error reporting and comparison of {@link OnnxRuntimeCheck}. */
class OnnxRuntimeCheckTest {
    private static final FloatTensor INPUT =
            new FloatTensor(new float[3 * 4], new long[] {1, 3, 2, 2});

    @Test
    void garbageFileFailsToLoadWithFileNameAndOrtError(@TempDir Path dir) throws Exception {
        Path bad =
                Files.write(
                        dir.resolve("broken.onnx"),
                        new byte[] {0x0a, 0x7f, 1, 2, 3}); // truncated field
        var e = assertThrows(InputException.class, () -> OnnxRuntimeCheck.run(bad, INPUT));
        String msg = e.getMessage();
        assertTrue(
                msg.contains(bad.toString()) && msg.contains("failed to load in ONNX Runtime"),
                msg);
        assertTrue(
                msg.toLowerCase(java.util.Locale.ROOT).contains("protobuf"),
                "ORT's own error is quoted: " + msg);
    }

    @Test
    void wellFormedButInvalidGraphNamesTheBadOperator(@TempDir Path dir) throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("bad");
        String x = g.input("x", "batch", 3, 2, 2);
        g.output(g.op("NoSuchOperator", List.of(x)));
        Path file = g.write(dir.resolve("bad.onnx"));
        var e = assertThrows(InputException.class, () -> OnnxRuntimeCheck.run(file, INPUT));
        assertTrue(
                e.getMessage().contains("bad.onnx") && e.getMessage().contains("NoSuchOperator"),
                e.getMessage());
    }

    @Test
    void wrongInputShapeFailsToRunWithShapeInMessage() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("shape");
        String x = g.input("images", "batch", 4, 2, 2);
        g.output(g.sigmoid(x));
        var e =
                assertThrows(
                        InputException.class,
                        () -> OnnxRuntimeCheck.run(g.toBytes(), "shape.onnx", INPUT));
        String msg = e.getMessage();
        assertTrue(
                msg.contains("shape.onnx")
                        && msg.contains("failed to run")
                        && msg.contains("[1, 3, 2, 2]"),
                msg);
        assertFalse(msg.contains("\n"), "one line for the CLI: " + msg);
    }

    @Test
    void missingFileAndMissingOutputAreNamed(@TempDir Path dir) throws Exception {
        Path none = dir.resolve("none.onnx");
        var e = assertThrows(InputException.class, () -> OnnxRuntimeCheck.run(none, INPUT));
        assertTrue(
                e.getMessage().contains("none.onnx") && e.getMessage().contains("does not exist"),
                e.getMessage());

        OnnxGraphBuilder g = new OnnxGraphBuilder("ok");
        g.output(g.identity(g.input("images", "batch", 3, 2, 2), "output0"));
        Path file = g.write(dir.resolve("ok.onnx"));
        var missing =
                assertThrows(
                        InputException.class,
                        () -> OnnxRuntimeCheck.check(file, INPUT, Map.of("output1", INPUT)));
        assertTrue(
                missing.getMessage().contains("output1")
                        && missing.getMessage().contains("[output0]"),
                missing.getMessage());
        Comparison same = OnnxRuntimeCheck.check(file, INPUT, Map.of("output0", INPUT)).get(0);
        assertTrue(same.within(0), same.toString());
    }

    @Test
    void compareReportsMaxDiffShapeMismatchAndOneSidedNaN() {
        long[] s = {2, 2};
        Comparison c =
                OnnxRuntimeCheck.compare(
                        "y",
                        new FloatTensor(new float[] {1f, 2f, 3f, 4f}, s),
                        new FloatTensor(new float[] {1f, 2.5f, 3f, 3.75f}, s));
        assertEquals(0.5, c.maxAbsDiff(), 1e-12);
        assertEquals(1, c.worstIndex());
        assertTrue(c.within(0.5) && !c.within(0.49));

        Comparison shape =
                OnnxRuntimeCheck.compare(
                        "y",
                        new FloatTensor(new float[4], s),
                        new FloatTensor(new float[4], new long[] {4}));
        assertFalse(shape.within(1e9));
        assertTrue(
                shape.toString().contains("[2, 2]") && shape.toString().contains("[4]"),
                shape.toString());

        Comparison nan =
                OnnxRuntimeCheck.compare(
                        "y",
                        new FloatTensor(new float[] {Float.NaN, 0, 0, Float.NaN}, s),
                        new FloatTensor(new float[] {Float.NaN, 0, 0, 1f}, s));
        assertEquals(Double.POSITIVE_INFINITY, nan.maxAbsDiff());
        assertEquals(3, nan.worstIndex());
    }
}
