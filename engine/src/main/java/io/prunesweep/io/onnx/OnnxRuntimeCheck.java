package io.prunesweep.io.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.prunesweep.InputException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an exported model in ONNX Runtime (CPU) and compares its outputs with the engine's own: the
 * proof that an export computes what the trained network computes. A model that fails to load or
 * run raises an {@link InputException} naming the model and quoting ONNX Runtime's error.
 */
public final class OnnxRuntimeCheck {
    private OnnxRuntimeCheck() {}

    /** A dense float tensor, row-major. */
    public record FloatTensor(float[] data, long[] shape) {
        public FloatTensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException(
                        "shape "
                                + Arrays.toString(shape)
                                + " needs "
                                + n
                                + " floats, got "
                                + data.length);
            }
        }

        @Override
        public String toString() {
            return "FloatTensor" + Arrays.toString(shape);
        }
    }

    /** Result of comparing one output: max |actual - expected| and where it occurs (flat index). */
    public record Comparison(
            String output,
            long[] actualShape,
            long[] expectedShape,
            double maxAbsDiff,
            int worstIndex) {
        public boolean shapesMatch() {
            return Arrays.equals(actualShape, expectedShape);
        }

        public boolean within(double tolerance) {
            return shapesMatch() && maxAbsDiff <= tolerance;
        }

        @Override
        public String toString() {
            if (!shapesMatch()) {
                return "output '"
                        + output
                        + "': ONNX Runtime shape "
                        + Arrays.toString(actualShape)
                        + " differs from expected "
                        + Arrays.toString(expectedShape);
            }
            return String.format(
                    "output '%s' %s: max abs diff %.3g at flat index %d",
                    output, Arrays.toString(actualShape), maxAbsDiff, worstIndex);
        }
    }

    /**
     * Runs a model file on its single float input; returns every output by name, in graph order.
     */
    public static Map<String, FloatTensor> run(Path model, FloatTensor input) {
        return run(readModel(model), model.toString(), input);
    }

    /**
     * Runs an in-memory model on its single float input; {@code label} names it in error messages.
     */
    public static Map<String, FloatTensor> run(byte[] model, String label, FloatTensor input) {
        return run(model, label, Map.of(SINGLE_INPUT, input));
    }

    /** Runs a model file on named float inputs. */
    public static Map<String, FloatTensor> run(Path model, Map<String, FloatTensor> inputs) {
        return run(readModel(model), model.toString(), inputs);
    }

    /** Runs an in-memory model on named float inputs. */
    public static Map<String, FloatTensor> run(
            byte[] model, String label, Map<String, FloatTensor> inputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = sessionOptions();
                OrtSession session = load(env, model, label, opts)) {
            Map<String, FloatTensor> named = nameInputs(session, label, inputs);
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            try {
                for (var e : named.entrySet()) {
                    feeds.put(
                            e.getKey(),
                            OnnxTensor.createTensor(
                                    env,
                                    FloatBuffer.wrap(e.getValue().data()),
                                    e.getValue().shape()));
                }
                try (OrtSession.Result result = session.run(feeds)) {
                    return readOutputs(result, label);
                }
            } catch (OrtException e) {
                throw new InputException(
                        "ONNX model "
                                + label
                                + " loaded but failed to run in ONNX Runtime on "
                                + describe(named)
                                + ": "
                                + ortMessage(e)
                                + ". The export is inconsistent with its input; re-export it and check the graph.",
                        e);
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        } catch (OrtException e) { // session options or closing the session
            throw new IllegalStateException(
                    "ONNX Runtime session setup/teardown failed for "
                            + label
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** Compares one output with the expected values; a shape mismatch is reported, not thrown. */
    public static Comparison compare(String output, FloatTensor actual, FloatTensor expected) {
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            return new Comparison(
                    output, actual.shape(), expected.shape(), Double.POSITIVE_INFINITY, -1);
        }
        double max = 0;
        int worst = 0;
        float[] a = actual.data();
        float[] b = expected.data();
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                // NaN on one side only is a failure; NaN on both sides agrees
                d = Float.isNaN(a[i]) && Float.isNaN(b[i]) ? 0 : Double.POSITIVE_INFINITY;
            }
            if (d > max) {
                max = d;
                worst = i;
            }
        }
        return new Comparison(output, actual.shape(), expected.shape(), max, worst);
    }

    /**
     * Runs the model on one input and compares the named outputs with the expected tensors. An
     * expected output the model does not produce is an error naming what the model does produce.
     */
    public static List<Comparison> check(
            Path model, FloatTensor input, Map<String, FloatTensor> expected) {
        Map<String, FloatTensor> actual = run(model, input);
        List<Comparison> out = new ArrayList<>();
        for (var e : expected.entrySet()) {
            FloatTensor got = actual.get(e.getKey());
            if (got == null) {
                throw new InputException(
                        "ONNX model "
                                + model
                                + " has no output '"
                                + e.getKey()
                                + "'; its outputs are "
                                + actual.keySet()
                                + ". Export it with that output name.");
            }
            out.add(compare(e.getKey(), got, e.getValue()));
        }
        return out;
    }

    // ---- internals
    // ---------------------------------------------------------------------------------

    /** Placeholder key for "the model's only input", resolved once the session is open. */
    private static final String SINGLE_INPUT = "\0single-input";

    private static OrtSession.SessionOptions sessionOptions() throws OrtException {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        // a check runs tiny tensors; one thread keeps it off the cores that training points are
        // using
        opts.setIntraOpNumThreads(1);
        return opts;
    }

    private static byte[] readModel(Path model) {
        if (!Files.isRegularFile(model)) {
            throw new InputException(
                    "ONNX model " + model + " does not exist or is not a file; export it first.");
        }
        try {
            return Files.readAllBytes(model);
        } catch (IOException e) {
            throw new InputException(
                    "ONNX model " + model + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static OrtSession load(
            OrtEnvironment env, byte[] model, String label, OrtSession.SessionOptions opts) {
        try {
            return env.createSession(model, opts);
        } catch (OrtException e) {
            throw new InputException(
                    "ONNX model "
                            + label
                            + " failed to load in ONNX Runtime: "
                            + ortMessage(e)
                            + ". The file is not a valid ONNX model for opset "
                            + OnnxGraph.OPSET
                            + "; re-export it.",
                    e);
        }
    }

    private static Map<String, FloatTensor> nameInputs(
            OrtSession session, String label, Map<String, FloatTensor> inputs) {
        if (!inputs.containsKey(SINGLE_INPUT)) {
            for (String name : inputs.keySet()) {
                if (!session.getInputNames().contains(name)) {
                    throw new InputException(
                            "ONNX model "
                                    + label
                                    + " has no input '"
                                    + name
                                    + "'; its inputs are "
                                    + session.getInputNames()
                                    + ".");
                }
            }
            return inputs;
        }
        if (session.getInputNames().size() != 1) {
            throw new InputException(
                    "ONNX model "
                            + label
                            + " has inputs "
                            + session.getInputNames()
                            + "; pass them by name instead of a single tensor.");
        }
        return Map.of(session.getInputNames().iterator().next(), inputs.get(SINGLE_INPUT));
    }

    private static Map<String, FloatTensor> readOutputs(OrtSession.Result result, String label)
            throws OrtException {
        Map<String, FloatTensor> outputs = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
            if (!(e.getValue() instanceof OnnxTensor t)
                    || ((TensorInfo) t.getInfo()).type != OnnxJavaType.FLOAT) {
                throw new InputException(
                        "ONNX model "
                                + label
                                + " output '"
                                + e.getKey()
                                + "' is "
                                + e.getValue().getInfo()
                                + "; only float tensor outputs can be checked.");
            }
            FloatBuffer buf = t.getFloatBuffer();
            float[] data = new float[buf.remaining()];
            buf.get(data);
            outputs.put(e.getKey(), new FloatTensor(data, ((TensorInfo) t.getInfo()).getShape()));
        }
        return outputs;
    }

    /**
     * ORT's message on one line (the CLI prints errors as one line), without its trailing period.
     */
    private static String ortMessage(OrtException e) {
        String m = String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", "; ");
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }

    private static String describe(Map<String, FloatTensor> inputs) {
        StringBuilder sb = new StringBuilder();
        inputs.forEach(
                (k, v) ->
                        sb.append(sb.isEmpty() ? "" : ", ")
                                .append("'")
                                .append(k)
                                .append("' ")
                                .append(Arrays.toString(v.shape())));
        return "input " + sb;
    }
}
