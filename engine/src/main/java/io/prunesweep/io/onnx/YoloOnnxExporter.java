package io.prunesweep.io.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prunesweep.InputException;
import io.prunesweep.io.FileSystems;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.io.onnx.OnnxRuntimeCheck.FloatTensor;
import io.prunesweep.model.DetectionHead;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.YoloModel;
import io.prunesweep.model.nn.BatchNormFolding;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Exports a {@link YoloModel} to ONNX (opset 17) the way ultralytics' {@code export format=onnx}
 * does: input {@code "images"} {@code [batch, 3, H, W]} (batch symbolic), output {@code "output0"}
 * {@code [batch, 4 + nc, anchors]} = the decoded inference output of {@link
 * io.prunesweep.model.nn.YoloNetwork} (xywh boxes in input pixels from the DFL softmax expectation
 * around anchor centres times stride, anchors and strides as constants; sigmoid class scores).
 * BatchNorm is folded into the convs ({@link BatchNormFolding}). Widths come from the graph, so
 * pruned graphs export as they run. The file's metadata says what {@code val} needs to score it
 * ({@link #metadata}).
 *
 * <p><b>Which layers export.</b> The built-in module types (Conv, DWConv, Bottleneck, C2f, C3k2
 * with C3k blocks, C3, C3k, SPPF, C2PSA, Concat, Upsample, Detect) are mapped by name to ONNX in
 * {@link BuiltinOnnxModules}. A custom {@link ModuleType} exports itself by also implementing
 * {@link OnnxExportable}; that implementation is used whenever the registered type has one (so it
 * also wins over a built-in name it replaces). A type with neither fails the export with a message
 * naming the layer. The last layer returns its raw maps like its forward; they are decoded by the
 * head's {@link OnnxHeadDecoder} (built in for Detect, AnchorDetect and v10Detect), as {@code
 * YoloNetwork.decode} does.
 *
 * <p><b>Every export is checked</b> ({@link #export}): the model runs in ONNX Runtime on a seeded
 * random image batch and is compared with {@link YoloModel#predict}. Asserted: class scores
 * (probabilities in [0, 1]) within {@link #TOLERANCE} absolute; box coordinates (pixels, up to the
 * image size, where float32 itself resolves only ~6e-5 at 640) within {@link #TOLERANCE} relative
 * to {@code max(1, |expected|)}. A failure is an {@link InputException} naming the file and the
 * differences; the file is then not written.
 */
public final class YoloOnnxExporter {
    public static final String INPUT = "images";
    public static final String OUTPUT = "output0";
    public static final String BATCH = "batch";

    /** metadata_props keys ({@link #metadata}). */
    public static final String META_TASK = "task";

    public static final String META_STRIDE = "stride";
    public static final String META_IMGSZ = "imgsz";
    public static final String META_END2END = "end2end";
    public static final String META_MODEL = "prunesweep.model";

    /**
     * Max difference accepted by the check (absolute for scores, relative to max(1, |x|) for
     * boxes).
     */
    public static final double TOLERANCE = 1e-4;

    private YoloOnnxExporter() {}

    /** The outcome of comparing the export with the engine's forward on one random batch. */
    public record Check(
            int batch,
            int imgsz,
            double scoreMaxAbsDiff,
            double boxMaxAbsDiff,
            double boxMaxRelDiff) {
        public boolean passed() {
            return scoreMaxAbsDiff <= TOLERANCE && boxMaxRelDiff <= TOLERANCE;
        }

        @Override
        public String toString() {
            return String.format(
                    "batch %d at %dx%d: scores max abs diff %.3g, boxes max abs diff %.3g px"
                            + " (max rel diff %.3g), tolerance %.0e: %s",
                    batch,
                    imgsz,
                    imgsz,
                    scoreMaxAbsDiff,
                    boxMaxAbsDiff,
                    boxMaxRelDiff,
                    TOLERANCE,
                    passed() ? "passed" : "FAILED");
        }
    }

    /** A written, checked export. */
    public record Result(String uri, long bytes, Check check) {}

    /**
     * Builds, checks (batch 1, seed 0) and atomically writes the export to {@code uri} (any Hadoop
     * URI).
     */
    public static Result export(YoloModel model, String uri, int imgsz) {
        byte[] bytes = toBytes(model, imgsz);
        Check check = check(model, bytes, uri, imgsz, 1, 0);
        if (!check.passed()) {
            throw new InputException(
                    uri
                            + ": the ONNX export does not match the engine's forward in ONNX Runtime ("
                            + check
                            + "); the file was not written. A custom module's OnnxExportable does not compute what"
                            + " its forward does, or this is an exporter bug.");
        }
        write(uri, bytes);
        return new Result(uri, bytes.length, check);
    }

    /**
     * Atomic write: a local path goes through java.nio (temporary sibling, then an atomic rename,
     * and no Hadoop {@code .crc} side file next to a model users open in other tools); other URIs
     * through Hadoop.
     */
    static void write(String uri, byte[] bytes) {
        if (uri.contains("://") && !uri.startsWith("file:")) {
            FileSystems.writeAtomically(uri, out -> out.write(bytes));
            return;
        }
        Path file = uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            // not Files.createTempFile: its 0600 mode would stay on the renamed model
            tmp =
                    dir.resolve(
                            "."
                                    + file.getFileName()
                                    + ".tmp-"
                                    + ProcessHandle.current().pid()
                                    + "-"
                                    + System.nanoTime());
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new InputException(uri + ": cannot write the ONNX model: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the rename normally consumed it
                }
            }
        }
    }

    /**
     * The serialized ONNX model for square images of side {@code imgsz}, with {@link #metadata}.
     */
    public static byte[] toBytes(YoloModel model, int imgsz) {
        return graph(model, imgsz).toModelBytes(metadata(model.graph(), imgsz));
    }

    /**
     * The model's {@code metadata_props}, with ultralytics' keys and value syntax (Python literals)
     * where they say the same thing: {@code task}, {@code stride} (largest), {@code imgsz} ({@code
     * [h, w]}), {@code end2end} (True for an NMS-free head: its output is final, {@code val}
     * suppresses nothing), plus {@code prunesweep.model}.
     */
    public static Map<String, String> metadata(ModelGraph graph, int imgsz) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_TASK, "detect");
        m.put(META_STRIDE, Integer.toString(graph.maxStride()));
        m.put(META_IMGSZ, "[" + imgsz + ", " + imgsz + "]");
        m.put(META_END2END, DetectionHead.of(graph).nmsFree() ? "True" : "False");
        m.put(META_MODEL, graph.name() + graph.scale());
        return m;
    }

    /**
     * The ONNX graph for square images of side {@code imgsz} (a multiple of the model's largest
     * stride).
     */
    public static OnnxGraph graph(YoloModel model, int imgsz) {
        return graph(model, imgsz, false);
    }

    /**
     * @param beforeSelection end with the head's dense output before its selection step (NMS-free
     *     heads; see {@link OnnxHeadDecoder#emitBeforeSelection}), for the export check
     */
    static OnnxGraph graph(YoloModel model, int imgsz, boolean beforeSelection) {
        ModelGraph graph = model.graph();
        int maxStride = graph.maxStride();
        if (imgsz <= 0 || imgsz % maxStride != 0) {
            throw new InputException(
                    "image size "
                            + imgsz
                            + " is not a positive multiple of the model's largest "
                            + "stride "
                            + maxStride
                            + "; use e.g. "
                            + Math.max(
                                    maxStride, Math.round(imgsz / (float) maxStride) * maxStride));
        }
        Map<String, Tensor> weights = model.stateDict();
        OnnxGraphBuilder g = new OnnxGraphBuilder(graph.name() + graph.scale());
        String image = g.input(INPUT, BATCH, graph.inputChannels(), imgsz, imgsz);

        List<List<String>> outputs = new ArrayList<>();
        List<int[]> sizes = new ArrayList<>();
        for (Layer layer : graph.layers()) {
            List<String> in = new ArrayList<>();
            List<int[]> inSizes = new ArrayList<>();
            for (int f : layer.from()) {
                if (f < 0) {
                    in.add(image);
                    inSizes.add(new int[] {imgsz, imgsz});
                } else {
                    List<String> o = outputs.get(f);
                    if (o.size() != 1) {
                        throw new IllegalStateException(
                                "layer "
                                        + layer.index()
                                        + " reads layer "
                                        + f
                                        + ", which has "
                                        + o.size()
                                        + " outputs");
                    }
                    in.add(o.get(0));
                    inSizes.add(sizes.get(f));
                }
            }
            ModuleType type = graph.type(layer);
            outputs.add(
                    exporterOf(type, layer)
                            .exportOnnx(
                                    layer, new OnnxExportContext(g, layer, weights, inSizes), in));
            sizes.add(type.outputSize(layer, inSizes));
        }

        Layer head = graph.head();
        List<String> raw = outputs.get(outputs.size() - 1);
        List<int[]> levelSizes = new ArrayList<>();
        for (int f : head.from()) {
            levelSizes.add(f < 0 ? new int[] {imgsz, imgsz} : sizes.get(f));
        }
        OnnxHeadDecoder decoder = OnnxHeadDecoder.of(graph.type(head), head);
        OnnxExportContext headCtx = new OnnxExportContext(g, head, weights, levelSizes);
        OnnxHeadDecoder.Decoded decoded =
                beforeSelection
                        ? decoder.emitBeforeSelection(head, headCtx, raw, levelSizes)
                        : decoder.emitDecode(head, headCtx, raw, levelSizes);
        g.output(
                g.identity(decoded.tensor(), OUTPUT),
                BATCH,
                4 + head.intAttr("nc"),
                decoded.columns());
        return g.build();
    }

    /** The type's own export if it has one, else the built-in mapping of a built-in type. */
    static OnnxExportable exporterOf(ModuleType type, Layer layer) {
        if (type instanceof OnnxExportable own) {
            return own;
        }
        OnnxExportable builtin = BuiltinOnnxModules.find(layer.module());
        boolean isBuiltinType =
                type.getClass().getPackageName().equals("io.prunesweep.model.modules");
        if (builtin == null || !isBuiltinType) {
            throw new InputException(
                    "layer "
                            + layer.index()
                            + ": module '"
                            + layer.module()
                            + "' ("
                            + type.getClass().getName()
                            + ") cannot be exported to ONNX; implement "
                            + OnnxExportable.class.getName()
                            + " on that module type");
        }
        return builtin;
    }

    /**
     * Runs {@code onnx} in ONNX Runtime and {@link YoloModel#predict} on the same seeded uniform
     * [0, 1) images of shape {@code [batch, C, imgsz, imgsz]}, and compares the outputs (see the
     * class comment).
     */
    public static Check check(
            YoloModel model, byte[] onnx, String label, int imgsz, int batch, long seed) {
        ModelGraph graph = model.graph();
        long[] shape = {batch, graph.inputChannels(), imgsz, imgsz};
        float[] image = new float[batch * graph.inputChannels() * imgsz * imgsz];
        Random r = new Random(seed);
        for (int i = 0; i < image.length; i++) {
            image[i] = r.nextFloat();
        }

        float[] expected;
        long[] expectedShape;
        try (NDManager m = model.manager().newSubManager()) {
            NDArray out = model.predict(m.create(image, new Shape(shape)));
            expected = out.toFloatArray();
            expectedShape = out.getShape().getShape();
        }
        FloatTensor actual =
                OnnxRuntimeCheck.run(onnx, label, Map.of(INPUT, new FloatTensor(image, shape)))
                        .get(OUTPUT);
        if (actual == null) {
            throw new InputException(label + ": the ONNX model has no output '" + OUTPUT + "'");
        }
        if (!Arrays.equals(actual.shape(), expectedShape)) {
            throw new InputException(
                    label
                            + ": ONNX Runtime output shape "
                            + Arrays.toString(actual.shape())
                            + " differs from the engine's "
                            + Arrays.toString(expectedShape));
        }
        if (!DetectionHead.of(graph).nmsFree()) {
            return compare(actual.data(), expected, expectedShape, imgsz, batch);
        }
        // a top-k selection: the columns are compared up to reordering among float-equal scores,
        // and the dense output
        // the selection reads (all the numerics) is compared exactly, in a sibling graph without
        // the selection
        Check selected =
                compare(
                        DetectionColumns.align(actual.data(), expected, expectedShape, TOLERANCE),
                        expected,
                        expectedShape,
                        imgsz,
                        batch);
        Check dense = checkBeforeSelection(model, image, shape, label, imgsz);
        return new Check(
                batch,
                imgsz,
                Math.max(selected.scoreMaxAbsDiff(), dense.scoreMaxAbsDiff()),
                Math.max(selected.boxMaxAbsDiff(), dense.boxMaxAbsDiff()),
                Math.max(selected.boxMaxRelDiff(), dense.boxMaxRelDiff()));
    }

    /** The head's dense output before its selection, ONNX Runtime against the engine. */
    private static Check checkBeforeSelection(
            YoloModel model, float[] image, long[] shape, String label, int imgsz) {
        ModelGraph graph = model.graph();
        Layer head = graph.head();
        float[] expected;
        long[] expectedShape;
        try (NDManager m = model.manager().newSubManager()) {
            NDList raw =
                    model.network()
                            .forwardRaw(
                                    new ParameterStore(m, false),
                                    m.create(image, new Shape(shape)),
                                    false);
            Map<String, ai.djl.nn.Parameter> params = model.network().parameters();
            NDArray out =
                    DetectionHead.of(graph)
                            .decodeBeforeSelection(
                                    head,
                                    raw,
                                    name -> {
                                        NDArray w = params.get(head.prefix("") + name).getArray();
                                        return m.create(w.toFloatArray(), w.getShape());
                                    });
            expected = out.toFloatArray();
            expectedShape = out.getShape().getShape();
        }
        byte[] dense = graph(model, imgsz, true).toModelBytes();
        FloatTensor actual =
                OnnxRuntimeCheck.run(
                                dense,
                                label + " (before selection)",
                                Map.of(INPUT, new FloatTensor(image, shape)))
                        .get(OUTPUT);
        if (!Arrays.equals(actual.shape(), expectedShape)) {
            throw new InputException(
                    label
                            + ": ONNX Runtime output before selection has shape "
                            + Arrays.toString(actual.shape())
                            + ", the engine's "
                            + Arrays.toString(expectedShape));
        }
        return compare(actual.data(), expected, expectedShape, imgsz, (int) shape[0]);
    }

    /**
     * Scores are rows 4.. of [B, 4 + nc, A]; boxes rows 0..3. NaN on one side only counts as
     * infinite.
     */
    static Check compare(float[] actual, float[] expected, long[] shape, int imgsz, int batch) {
        int rows = (int) shape[1];
        int anchors = (int) shape[2];
        double score = 0, boxAbs = 0, boxRel = 0;
        for (int i = 0; i < expected.length; i++) {
            int row = (i / anchors) % rows;
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) {
                d =
                        Float.isNaN(actual[i]) && Float.isNaN(expected[i])
                                ? 0
                                : Double.POSITIVE_INFINITY;
            }
            if (row < 4) {
                boxAbs = Math.max(boxAbs, d);
                // (NaN on both sides agrees here too: its relative difference is 0, not NaN, which
                // failed the check)
                boxRel = Math.max(boxRel, d == 0 ? 0 : d / Math.max(1.0, Math.abs(expected[i])));
            } else {
                score = Math.max(score, d);
            }
        }
        return new Check(batch, imgsz, score, boxAbs, boxRel);
    }
}
