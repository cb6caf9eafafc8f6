package io.prunesweep.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.prunesweep.backend.Convolutions;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.TensorSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The DJL block of one layer. It owns the parameters of the layer's convs under their ultralytics
 * state-dict names ({@code model.N.cv1.conv.weight}, {@code model.N.cv1.bn.weight}, ...) and
 * delegates the computation to the layer's {@link ModuleType}.
 */
public final class LayerBlock extends AbstractBlock {
    /**
     * Ultralytics BatchNorm: eps 1e-3, momentum 0.03 (PyTorch notation; DJL's momentum is 1 -
     * that).
     */
    public static final float BN_EPS = 1e-3f;

    public static final float BN_MOMENTUM_DJL = 0.97f;

    private final Layer layer;
    private final ModuleType type;
    private final Map<String, ConvParams> convs = new LinkedHashMap<>();
    private ConvTap tap;

    /**
     * Conv weight and bias with BatchNorm folded in, per conv path; empty unless {@link
     * #fuseBatchNorm} ran.
     */
    private final Map<String, NDArray[]> folded = new LinkedHashMap<>();

    /** The parameters of one conv (null where the spec has none). */
    record ConvParams(
            ConvSpec spec,
            Parameter weight,
            Parameter bias,
            Parameter gamma,
            Parameter beta,
            Parameter mean,
            Parameter var) {}

    public LayerBlock(Layer layer, ModuleType type, long seed) {
        this.layer = layer;
        this.type = type;
        for (Map.Entry<String, ConvSpec> e : layer.convs().entrySet()) {
            String path = e.getKey();
            ConvSpec c = e.getValue();
            String p = layer.prefix(path);
            String wName = p + (c.bn() ? "conv.weight" : "weight");
            int fanIn = c.in() / c.groups() * c.kernel() * c.kernel();
            Parameter w =
                    param(
                            wName,
                            Parameter.Type.WEIGHT,
                            new Shape(c.out(), c.in() / c.groups(), c.kernel(), c.kernel()),
                            c.trainable(),
                            path.equals("dfl.conv")
                                    ? new ArangeInitializer()
                                    : SeededInitializer.uniform(seed, wName, fanIn));
            Parameter b = null;
            if (c.bias()) {
                Float init = type.initialBias(layer, path);
                ai.djl.training.initializer.Initializer custom =
                        type.initializer(layer, path + ".bias", seed);
                b =
                        param(
                                p + "bias",
                                Parameter.Type.BIAS,
                                new Shape(c.out()),
                                c.trainable(),
                                custom != null
                                        ? custom
                                        : init != null
                                                ? SeededInitializer.constant(init)
                                                : SeededInitializer.uniform(
                                                        seed, p + "bias", fanIn));
            }
            Parameter g = null, be = null, m = null, v = null;
            if (c.bn()) {
                g =
                        param(
                                p + "bn.weight",
                                Parameter.Type.GAMMA,
                                new Shape(c.out()),
                                true,
                                SeededInitializer.constant(1f));
                be =
                        param(
                                p + "bn.bias",
                                Parameter.Type.BETA,
                                new Shape(c.out()),
                                true,
                                SeededInitializer.constant(0f));
                m =
                        param(
                                p + "bn.running_mean",
                                Parameter.Type.RUNNING_MEAN,
                                new Shape(c.out()),
                                false,
                                SeededInitializer.constant(0f));
                v =
                        param(
                                p + "bn.running_var",
                                Parameter.Type.RUNNING_VAR,
                                new Shape(c.out()),
                                false,
                                SeededInitializer.constant(1f));
            }
            convs.put(path, new ConvParams(c, w, b, g, be, m, v));
        }
        for (Map.Entry<String, TensorSpec> e : layer.tensors().entrySet()) {
            TensorSpec t = e.getValue();
            String name = layer.prefix("") + e.getKey();
            Shape shape = new Shape(java.util.Arrays.stream(t.shape()).mapToLong(d -> d).toArray());
            ai.djl.training.initializer.Initializer init =
                    type.initializer(layer, e.getKey(), seed);
            if (init == null) {
                int fanIn = t.shape().length == 0 ? 1 : (int) Math.max(1, t.size() / t.shape()[0]);
                init =
                        t.buffer()
                                ? SeededInitializer.constant(0f)
                                : SeededInitializer.uniform(seed, name, fanIn);
            }
            param(
                    name,
                    t.buffer() ? Parameter.Type.OTHER : Parameter.Type.WEIGHT,
                    shape,
                    !t.buffer(),
                    init);
        }
    }

    private Parameter param(
            String name,
            Parameter.Type t,
            Shape shape,
            boolean grad,
            ai.djl.training.initializer.Initializer init) {
        return addParameter(
                Parameter.builder()
                        .setName(name)
                        .setType(t)
                        .optShape(shape)
                        .optRequiresGrad(grad)
                        .optInitializer(init)
                        .build());
    }

    public Layer layer() {
        return layer;
    }

    public ModuleType type() {
        return type;
    }

    /**
     * Installs (or with null removes) a tap that sees every conv of this layer in later forwards.
     */
    public void setConvTap(ConvTap tap) {
        this.tap = tap;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Device device = inputs.head().getDevice();
        LayerForward f =
                new LayerForward() {
                    @Override
                    public NDArray conv(String path, NDArray x) {
                        NDArray[] f = folded.get(path);
                        // a tap wants the output before BatchNorm, which a folded conv does not
                        // have: it runs unfolded
                        if (f != null && tap == null) {
                            return applyFolded(convs.get(path).spec(), f, x, training);
                        }
                        return applyConv(
                                ps,
                                device,
                                convs.get(path),
                                x,
                                training,
                                tap == null
                                        ? null
                                        : (in, pre) -> tap.onConv(layer.index(), path, in, pre));
                    }

                    @Override
                    public NDArray param(String name) {
                        return ps.getValue(
                                getParameters().get(layer.prefix("") + name), device, training);
                    }

                    @Override
                    public boolean training() {
                        return training;
                    }
                };
        return type.forward(layer, f, inputs);
    }

    private static NDArray applyConv(
            ParameterStore ps,
            Device d,
            ConvParams cp,
            NDArray x,
            boolean training,
            java.util.function.BiConsumer<NDArray, NDArray> seen) {
        if (cp == null) {
            throw new IllegalStateException("unknown conv path");
        }
        ConvSpec c = cp.spec();
        NDArray y =
                Convolutions.conv2d(
                        x,
                        ps.getValue(cp.weight(), d, training),
                        cp.bias() == null ? null : ps.getValue(cp.bias(), d, training),
                        new Shape(c.stride(), c.stride()),
                        new Shape(c.padding(), c.padding()),
                        new Shape(c.dilation(), c.dilation()),
                        c.groups());
        if (seen != null) {
            seen.accept(x, y);
        }
        if (c.bn()) {
            // axis -1 selects libtorch's native channel-first batch_norm in DJL's PyTorch engine
            y =
                    y.getNDArrayInternal()
                            .batchNorm(
                                    y,
                                    ps.getValue(cp.mean(), d, false),
                                    ps.getValue(cp.var(), d, false),
                                    ps.getValue(cp.gamma(), d, training),
                                    ps.getValue(cp.beta(), d, training),
                                    -1,
                                    BN_MOMENTUM_DJL,
                                    BN_EPS,
                                    training)
                            .singletonOrThrow();
        }
        return c.act() ? Ops.silu(y) : y;
    }

    /**
     * Folds every conv's inference-mode BatchNorm into the conv's weight and bias (ultralytics'
     * {@code fuse()}), with the exporter's arithmetic ({@link BatchNormFolding}), so a forward pass
     * skips the BatchNorm op. From then on the block is for inference: the folded values are a
     * snapshot, and training it is an error.
     */
    public void fuseBatchNorm() {
        for (Map.Entry<String, ConvParams> e : convs.entrySet()) {
            ConvParams cp = e.getValue();
            ConvSpec c = cp.spec();
            if (!c.bn() || folded.containsKey(e.getKey())) {
                continue;
            }
            NDArray w = cp.weight().getArray();
            BatchNormFolding.Folded f =
                    BatchNormFolding.fold(
                            w.toFloatArray(),
                            cp.bias() == null ? null : cp.bias().getArray().toFloatArray(),
                            c.out(),
                            cp.gamma().getArray().toFloatArray(),
                            cp.beta().getArray().toFloatArray(),
                            cp.mean().getArray().toFloatArray(),
                            cp.var().getArray().toFloatArray(),
                            BN_EPS);
            NDManager m = w.getManager();
            folded.put(
                    e.getKey(),
                    new NDArray[] {m.create(f.weight(), w.getShape()), m.create(f.bias())});
        }
    }

    private static NDArray applyFolded(ConvSpec c, NDArray[] wb, NDArray x, boolean training) {
        if (training) {
            throw new IllegalStateException(
                    "this model has BatchNorm folded into its convs: it is for inference only");
        }
        NDArray y =
                Convolutions.conv2d(
                        x,
                        wb[0],
                        wb[1],
                        new Shape(c.stride(), c.stride()),
                        new Shape(c.padding(), c.padding()),
                        new Shape(c.dilation(), c.dilation()),
                        c.groups());
        return c.act() ? Ops.silu(y) : y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), layer.outChannels(), -1, -1)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks: all parameter shapes are known from the layer
    }

    @Override
    public String toString() {
        return "LayerBlock(" + layer.index() + " " + layer.module() + ")";
    }

    /** DFL projection weights 0..reg_max-1: the expectation over distance bins. */
    static final class ArangeInitializer implements ai.djl.training.initializer.Initializer {
        @Override
        public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
            return manager.arange(0f, (float) shape.size(), 1f)
                    .reshape(shape)
                    .toType(dataType, false);
        }
    }
}
