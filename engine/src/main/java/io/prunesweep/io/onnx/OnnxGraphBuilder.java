package io.prunesweep.io.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds an ONNX inference graph op by op. Every helper takes the names of existing tensors and
 * returns the name of the tensor it produced; names are generated unique. Constants (weights, split
 * sizes, shapes) become initializers. Inputs are checked as they are used, so a mis-wired export
 * fails at the faulty node with the missing tensor's name instead of later inside ONNX Runtime.
 *
 * <pre>{@code
 * OnnxGraphBuilder g = new OnnxGraphBuilder("yolo");
 * String x = g.input("images", "batch", 3, 640, 640);
 * String y = g.silu(g.conv(x, w, new long[] {16, 3, 3, 3}, b, ConvParams.of(2, 1)));
 * g.output(y);
 * g.write(Path.of("model.onnx"));
 * }</pre>
 */
public final class OnnxGraphBuilder {
    private final String graphName;
    private final List<OnnxNode> nodes = new ArrayList<>();
    private final List<OnnxTensor> initializers = new ArrayList<>();
    private final List<OnnxValueInfo> inputs = new ArrayList<>();
    private final List<OnnxValueInfo> outputs = new ArrayList<>();

    /** Every tensor name defined so far (graph inputs, initializers, node outputs). */
    private final Set<String> tensors = new HashSet<>();

    /** Node names and tensor names share one pool so generated names never collide. */
    private final Set<String> usedNames = new HashSet<>();

    private final Map<String, Integer> counters = new HashMap<>();
    private final Map<String, long[]> initializerShapes = new HashMap<>();

    public OnnxGraphBuilder(String graphName) {
        this.graphName = graphName;
    }

    // ---- names
    // -------------------------------------------------------------------------------------

    /**
     * A name not used yet in this graph: {@code hint} itself if free, else {@code hint_1}, {@code
     * hint_2}, ...
     */
    public String uniqueName(String hint) {
        if (usedNames.add(hint)) {
            return hint;
        }
        int n = counters.getOrDefault(hint, 0);
        String candidate;
        do {
            candidate = hint + "_" + (++n);
        } while (!usedNames.add(candidate));
        counters.put(hint, n);
        return candidate;
    }

    // ---- graph inputs / outputs / constants
    // --------------------------------------------------------

    /**
     * A float graph input with a symbolic leading dimension, e.g. {@code input("images", "batch",
     * 3, 640, 640)}.
     */
    public String input(String name, String batchSymbol, long... dims) {
        List<Dim> shape = new ArrayList<>();
        shape.add(Dim.symbolic(batchSymbol));
        for (long d : dims) {
            shape.add(Dim.of(d));
        }
        return input(name, shape);
    }

    /** A float graph input of fixed shape. */
    public String input(String name, long... dims) {
        return input(name, Arrays.stream(dims).mapToObj(Dim::of).toList());
    }

    public String input(String name, List<Dim> shape) {
        claimExact(name, "graph input");
        inputs.add(new OnnxValueInfo(name, OnnxDataType.FLOAT, shape));
        tensors.add(name);
        return name;
    }

    /** Marks an existing float tensor as a graph output, shape left to ONNX Runtime's inference. */
    public OnnxGraphBuilder output(String tensor) {
        return output(tensor, (List<Dim>) null);
    }

    /** Marks an existing float tensor as a graph output with a symbolic leading dimension. */
    public OnnxGraphBuilder output(String tensor, String batchSymbol, long... dims) {
        List<Dim> shape = new ArrayList<>();
        shape.add(Dim.symbolic(batchSymbol));
        for (long d : dims) {
            shape.add(Dim.of(d));
        }
        return output(tensor, shape);
    }

    public OnnxGraphBuilder output(String tensor, List<Dim> shape) {
        requireTensor(tensor, "graph output");
        outputs.add(new OnnxValueInfo(tensor, OnnxDataType.FLOAT, shape));
        return this;
    }

    /** A float constant; returns its (unique) name. */
    public String initializer(String hint, float[] data, long... dims) {
        String name = uniqueName(hint);
        return addInitializer(OnnxTensor.ofFloats(name, data, dims));
    }

    /** An int64 constant; returns its (unique) name. */
    public String initializer(String hint, long[] data, long... dims) {
        String name = uniqueName(hint);
        return addInitializer(OnnxTensor.ofLongs(name, data, dims));
    }

    private String addInitializer(OnnxTensor t) {
        initializers.add(t);
        tensors.add(t.name());
        initializerShapes.put(t.name(), t.dims());
        return t.name();
    }

    // ---- generic node
    // ------------------------------------------------------------------------------

    /**
     * Any default-domain operator with explicit output names (which must be new; take them from
     * {@link #uniqueName(String)}). Use "" for an omitted optional input.
     */
    public OnnxGraphBuilder node(
            String opType,
            List<String> inputNames,
            List<String> outputNames,
            List<OnnxAttribute> attrs) {
        for (String in : inputNames) {
            if (!in.isEmpty()) {
                requireTensor(in, opType + " input");
            }
        }
        for (String out : outputNames) {
            if (tensors.contains(out)) {
                throw new IllegalArgumentException(
                        opType
                                + " output '"
                                + out
                                + "' is already defined in graph '"
                                + graphName
                                + "'; every tensor is produced once");
            }
            usedNames.add(out);
        }
        nodes.add(new OnnxNode(uniqueName(opType), opType, inputNames, outputNames, attrs));
        tensors.addAll(outputNames);
        return this;
    }

    /** A single-output node with a generated output name; returns that name. */
    public String op(String opType, List<String> inputNames, OnnxAttribute... attrs) {
        String out = uniqueName(opType + "_out");
        node(opType, inputNames, List.of(out), List.of(attrs));
        return out;
    }

    // ---- operators
    // ---------------------------------------------------------------------------------

    /**
     * Conv2d with float weights [outC, inC/group, kH, kW] and optional bias [outC] (null for none).
     * Weights and bias become initializers.
     */
    public String conv(String x, float[] weight, long[] weightShape, float[] bias, ConvParams p) {
        if (weightShape.length != 4) {
            throw new IllegalArgumentException(
                    "Conv weight shape must be [outC, inC/group, kH, kW], got "
                            + Arrays.toString(weightShape));
        }
        String w = initializer("conv.weight", weight, weightShape);
        String b = bias == null ? null : initializer("conv.bias", bias, weightShape[0]);
        return conv(x, w, b, p);
    }

    /**
     * Conv2d with weight (and optional bias, null for none) given as existing initializer names.
     */
    public String conv(String x, String weight, String bias, ConvParams p) {
        List<String> ins = bias == null ? List.of(x, weight) : List.of(x, weight, bias);
        List<OnnxAttribute> attrs =
                new ArrayList<>(
                        List.of(
                                OnnxAttribute.ofInts("strides", p.strides()),
                                OnnxAttribute.ofInts("pads", p.pads()),
                                OnnxAttribute.ofInts("dilations", p.dilations()),
                                OnnxAttribute.ofInt("group", p.group())));
        long[] ws = initializerShapes.get(weight);
        if (ws != null && ws.length == 4) {
            attrs.add(OnnxAttribute.ofInts("kernel_shape", ws[2], ws[3]));
        }
        String out = uniqueName("Conv_out");
        node("Conv", ins, List.of(out), attrs);
        return out;
    }

    public String sigmoid(String x) {
        return op("Sigmoid", List.of(x));
    }

    /** SiLU as ultralytics exports it: x * sigmoid(x). */
    public String silu(String x) {
        return mul(x, sigmoid(x));
    }

    public String mul(String a, String b) {
        return op("Mul", List.of(a, b));
    }

    public String add(String a, String b) {
        return op("Add", List.of(a, b));
    }

    public String sub(String a, String b) {
        return op("Sub", List.of(a, b));
    }

    public String div(String a, String b) {
        return op("Div", List.of(a, b));
    }

    public String concat(int axis, String... xs) {
        return op("Concat", List.of(xs), OnnxAttribute.ofInt("axis", axis));
    }

    /**
     * Split along {@code axis} into pieces of the given sizes (opset 13+: sizes are an int64
     * input).
     */
    public String[] split(String x, int axis, long... sizes) {
        String splitSizes = initializer("split_sizes", sizes.clone(), sizes.length);
        String[] outs = new String[sizes.length];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = uniqueName("Split_out");
        }
        node(
                "Split",
                List.of(x, splitSizes),
                List.of(outs),
                List.of(OnnxAttribute.ofInt("axis", axis)));
        return outs;
    }

    /** Slice; starts/ends/axes/steps become int64 inputs (steps may be null for all-ones). */
    public String slice(String x, long[] starts, long[] ends, long[] axes, long[] steps) {
        List<String> ins =
                new ArrayList<>(
                        List.of(
                                x,
                                initializer("slice_starts", starts.clone(), starts.length),
                                initializer("slice_ends", ends.clone(), ends.length),
                                initializer("slice_axes", axes.clone(), axes.length)));
        if (steps != null) {
            ins.add(initializer("slice_steps", steps.clone(), steps.length));
        }
        return op("Slice", ins);
    }

    /** Square max pooling, torch MaxPool2d(kernel, stride, padding) (floor mode). */
    public String maxPool(String x, int kernel, int stride, int pad) {
        return op(
                "MaxPool",
                List.of(x),
                OnnxAttribute.ofInts("kernel_shape", kernel, kernel),
                OnnxAttribute.ofInts("strides", stride, stride),
                OnnxAttribute.ofInts("pads", pad, pad, pad, pad));
    }

    /**
     * Nearest-neighbour upsampling of an NCHW tensor by an integer factor, as torch exports
     * Upsample(scale_factor=s, mode='nearest'): asymmetric coordinates, floor rounding, a scales
     * input.
     */
    public String resizeNearest(String x, float scale) {
        String scales = initializer("resize_scales", new float[] {1f, 1f, scale, scale}, 4);
        return op(
                "Resize",
                List.of(x, "", scales),
                OnnxAttribute.ofString("mode", "nearest"),
                OnnxAttribute.ofString("coordinate_transformation_mode", "asymmetric"),
                OnnxAttribute.ofString("nearest_mode", "floor"));
    }

    /** Reshape to a fixed target shape (0 copies that input dim, -1 is inferred). */
    public String reshape(String x, long... shape) {
        String s = initializer("reshape_shape", shape.clone(), shape.length);
        return op("Reshape", List.of(x, s));
    }

    public String transpose(String x, int... perm) {
        return op("Transpose", List.of(x), OnnxAttribute.ofInts("perm", perm));
    }

    public String matMul(String a, String b) {
        return op("MatMul", List.of(a, b));
    }

    public String softmax(String x, int axis) {
        return op("Softmax", List.of(x), OnnxAttribute.ofInt("axis", axis));
    }

    /**
     * Copies a tensor under a chosen name, e.g. to give a graph output a fixed name like "output0".
     */
    public String identity(String x, String name) {
        claimExact(name, "Identity output");
        node("Identity", List.of(x), List.of(name), List.of());
        return name;
    }

    // ---- result
    // ------------------------------------------------------------------------------------

    public OnnxGraph build() {
        if (outputs.isEmpty()) {
            throw new IllegalStateException(
                    "ONNX graph '" + graphName + "' has no outputs; call output(...)");
        }
        return new OnnxGraph(graphName, nodes, initializers, inputs, outputs);
    }

    public byte[] toBytes() {
        return build().toModelBytes();
    }

    /**
     * Writes the model to a temporary sibling and renames it, so a half-written file never has the
     * final name.
     */
    public Path write(Path file) throws IOException {
        byte[] bytes = toBytes();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(
                    tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    private void claimExact(String name, String what) {
        if (!usedNames.add(name) || tensors.contains(name)) {
            throw new IllegalArgumentException(
                    what + " name '" + name + "' is already used in graph '" + graphName + "'");
        }
    }

    private void requireTensor(String name, String what) {
        if (!tensors.contains(name)) {
            throw new IllegalArgumentException(
                    what
                            + " '"
                            + name
                            + "' is not defined in graph '"
                            + graphName
                            + "' (not a graph input, initializer or earlier node output)");
        }
    }
}
