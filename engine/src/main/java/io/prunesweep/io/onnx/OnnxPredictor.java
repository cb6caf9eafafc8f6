package io.prunesweep.io.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.prunesweep.InputException;
import io.prunesweep.data.Batch;
import io.prunesweep.eval.BatchPredictor;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@link BatchPredictor} of an exported detector in ONNX Runtime (CPU execution provider, all graph
 * optimizations, default threads): {@code prunesweep val --weights model.onnx}. The model needs one
 * float input {@code [batch, C, H, W]} and a float output {@code [batch, 4 + nc, N]} of decoded
 * boxes and class scores, as this project's export and ultralytics' {@code format=onnx} (without
 * {@code nms=True}) write them; which output is taken: {@code output0}, else the only one. Input
 * and output shapes come from the session; a fixed batch size is honoured by padding a short batch
 * with blank images whose outputs are dropped. The export's {@code end2end} metadata says whether
 * the output is already final (NMS-free head); without it, NMS runs, as for ultralytics' own
 * exports.
 */
public final class OnnxPredictor implements BatchPredictor, AutoCloseable {
    public static final String RUNTIME = "onnxruntime";

    private final String uri;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final String output;
    private final long[] inputShape;
    private final long[] outputShape;
    private final Map<String, String> metadata;
    private final String graphName;

    private OnnxPredictor(String uri, OrtEnvironment env, OrtSession session) throws OrtException {
        this.uri = uri;
        this.env = env;
        this.session = session;
        if (session.getInputInfo().size() != 1) {
            throw new InputException(
                    uri
                            + ": the model has inputs "
                            + session.getInputNames()
                            + "; val feeds one image tensor [batch, 3, H, W]");
        }
        NodeInfo in = session.getInputInfo().values().iterator().next();
        this.input = in.getName();
        this.inputShape = floatTensorShape(in, 4, "input", "[batch, 3, H, W]");
        Map<String, NodeInfo> outs = session.getOutputInfo();
        NodeInfo out =
                outs.containsKey(YoloOnnxExporter.OUTPUT)
                        ? outs.get(YoloOnnxExporter.OUTPUT)
                        : outs.size() == 1 ? outs.values().iterator().next() : null;
        if (out == null) {
            throw new InputException(
                    uri
                            + ": the model has outputs "
                            + outs.keySet()
                            + " and none is named '"
                            + YoloOnnxExporter.OUTPUT
                            + "'; val reads the decoded detections [batch, 4 + nc, anchors]");
        }
        this.output = out.getName();
        this.outputShape = floatTensorShape(out, 3, "output", "[batch, 4 + nc, anchors]");
        if (outputShape[1] <= 4) {
            throw new InputException(
                    uri
                            + ": output '"
                            + output
                            + "' has shape "
                            + Arrays.toString(outputShape)
                            + "; val reads decoded detections [batch, 4 + nc, anchors] with a fixed 4 + nc (an export without NMS)");
        }
        var meta = session.getMetadata();
        this.metadata = Map.copyOf(meta.getCustomMetadata());
        this.graphName = meta.getGraphName();
    }

    /**
     * Opens the model at {@code uri} (any Hadoop URI) in a new ONNX Runtime session; close it when
     * done.
     */
    public static OnnxPredictor open(String uri) {
        byte[] bytes;
        try (InputStream in = FileSystems.open(uri)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new InputException(uri + ": cannot read: " + e.getMessage(), e);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(bytes, opts);
        } catch (OrtException e) {
            throw new InputException(uri + ": ONNX Runtime cannot load it: " + oneLine(e), e);
        }
        try {
            return new OnnxPredictor(uri, env, session);
        } catch (OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // the failure that matters is the one being thrown
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new InputException(
                    uri
                            + ": ONNX Runtime cannot describe its inputs and outputs: "
                            + oneLine((OrtException) e),
                    e);
        }
    }

    /** Whether {@code uri} names an ONNX model: its file name ends in {@code .onnx} (any case). */
    public static boolean isOnnx(String uri) {
        return FileSystems.path(uri).getName().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    public String uri() {
        return uri;
    }

    /** The graph name (this project's exports: model and scale, e.g. {@code yolov8n}), or null. */
    public String modelName() {
        String m = metadata.get(YoloOnnxExporter.META_MODEL);
        if (m != null && !m.isBlank()) {
            return m;
        }
        return graphName == null || graphName.isBlank() ? null : graphName;
    }

    /** The input's dimensions {@code [batch, C, H, W]}; -1 for a symbolic (free) one. */
    public long[] inputShape() {
        return inputShape.clone();
    }

    /** The fixed batch size, or 0 when the batch dimension is free. */
    public int fixedBatch() {
        return inputShape[0] > 0 ? (int) inputShape[0] : 0;
    }

    /** Classes in the output ({@code dim 1 - 4}). */
    public int nc() {
        return (int) outputShape[1] - 4;
    }

    /** The output's dimensions {@code [batch, 4 + nc, N]}; -1 for a symbolic one. */
    public long[] outputShape() {
        return outputShape.clone();
    }

    /** The largest stride from the metadata, or 0 when the file does not say. */
    public int stride() {
        try {
            return Integer.parseInt(
                    metadata.getOrDefault(YoloOnnxExporter.META_STRIDE, "0").strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String runtime() {
        return RUNTIME;
    }

    @Override
    public boolean nmsFree() {
        return "true"
                .equalsIgnoreCase(metadata.getOrDefault(YoloOnnxExporter.META_END2END, "").strip());
    }

    @Override
    public void warmup(int imgsz) {
        int n = Math.max(1, fixedBatch());
        int c = channels();
        try (Loaded blank = feed(new float[n * c * imgsz * imgsz], n, 1, imgsz, imgsz)) {
            blank.run();
        }
    }

    @Override
    public Loaded load(Batch batch) {
        int n = Math.max(batch.size(), fixedBatch());
        if (fixedBatch() > 0 && batch.size() > fixedBatch()) {
            throw new IllegalStateException(
                    uri + " takes batches of " + fixedBatch() + ", got " + batch.size());
        }
        float[] pixels = batch.imageData();
        float[] data =
                n == batch.size()
                        ? pixels
                        : Arrays.copyOf(pixels, n * (pixels.length / batch.size()));
        return feed(data, n, batch.size(), batch.height(), batch.width());
    }

    /**
     * {@code images} images of which the first {@code keep} are real (the rest pad a fixed batch).
     */
    private Loaded feed(float[] data, int images, int keep, int h, int w) {
        long[] shape = {images, channels(), h, w};
        OnnxTensor x;
        try {
            x = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
        } catch (OrtException e) {
            throw new IllegalStateException(
                    uri
                            + ": cannot create an ONNX Runtime tensor "
                            + Arrays.toString(shape)
                            + ": "
                            + oneLine(e),
                    e);
        }
        return new Loaded() {
            @Override
            public Output run() {
                try (OrtSession.Result r = session.run(Map.of(input, x), Set.of(output))) {
                    OnnxValue v = r.get(output).orElseThrow();
                    long[] s = ((TensorInfo) v.getInfo()).getShape();
                    if (s.length != 3 || s[0] != images || s[1] != outputShape[1]) {
                        throw new InputException(
                                uri
                                        + ": output '"
                                        + output
                                        + "' came back as "
                                        + Arrays.toString(s)
                                        + " for input "
                                        + Arrays.toString(shape)
                                        + "; expected ["
                                        + images
                                        + ", "
                                        + outputShape[1]
                                        + ", anchors]");
                    }
                    FloatBuffer buf = ((OnnxTensor) v).getFloatBuffer();
                    int per = (int) (s[1] * s[2]);
                    float[] out = new float[keep * per];
                    buf.get(out);
                    return new Output(out, keep, (int) s[1], (int) s[2]);
                } catch (OrtException e) {
                    throw new InputException(
                            uri
                                    + ": ONNX Runtime failed on input '"
                                    + input
                                    + "' "
                                    + Arrays.toString(shape)
                                    + ": "
                                    + oneLine(e),
                            e);
                }
            }

            @Override
            public void close() {
                x.close();
            }
        };
    }

    /** Image channels: the input's, or 3 when that dimension is free. */
    private int channels() {
        return inputShape[1] > 0 ? (int) inputShape[1] : 3;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(
                    uri + ": closing the ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }

    private long[] floatTensorShape(NodeInfo node, int rank, String what, String expected) {
        if (!(node.getInfo() instanceof TensorInfo t)
                || t.type != OnnxJavaType.FLOAT
                || t.getShape().length != rank) {
            throw new InputException(
                    uri
                            + ": "
                            + what
                            + " '"
                            + node.getName()
                            + "' is "
                            + node.getInfo()
                            + "; val needs a float32 tensor "
                            + expected);
        }
        return t.getShape();
    }

    /** ONNX Runtime's message on one line (the CLI prints errors as one line). */
    private static String oneLine(OrtException e) {
        String m = String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", "; ");
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }
}
