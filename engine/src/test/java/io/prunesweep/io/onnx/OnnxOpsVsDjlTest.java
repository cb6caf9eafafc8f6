package io.prunesweep.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import io.prunesweep.io.onnx.OnnxRuntimeCheck.Comparison;
import io.prunesweep.io.onnx.OnnxRuntimeCheck.FloatTensor;
import io.prunesweep.model.nn.BatchNormFolding;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each graph the YOLO export needs, built with {@link OnnxGraphBuilder}, run in ONNX Runtime and
 * compared with the same computation done in DJL (PyTorch engine, CPU) on random weights and
 * inputs.
 */
class OnnxOpsVsDjlTest {
    private static final double TOLERANCE = 1e-5;
    private static NDManager manager;
    private final Random random = new Random(7);

    @BeforeAll
    static void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    @Test
    void convWithBiasThenSiluMatchesDjl() {
        long[] xShape = {2, 3, 9, 9};
        long[] wShape = {8, 3, 3, 3};
        float[] x = randoms(xShape);
        float[] w = randoms(wShape);
        float[] b = randoms(8);

        OnnxGraphBuilder g = new OnnxGraphBuilder("conv_silu");
        String in = g.input("images", "batch", 3, 9, 9);
        String y = g.silu(g.conv(in, w, wShape, b, ConvParams.of(2, 1)));
        g.output(y, "batch", 8, 5, 5);

        try (NDManager m = manager.newSubManager()) {
            NDArray conv =
                    Conv2d.conv2d(
                                    nd(m, x, xShape),
                                    nd(m, w, wShape),
                                    nd(m, b, 8),
                                    new Shape(2, 2),
                                    new Shape(1, 1),
                                    new Shape(1, 1),
                                    1)
                            .singletonOrThrow();
            NDArray expected = Activation.swish(conv, 1f);
            assertMatches(g, x, xShape, Map.of(y, expected));
        }
    }

    @Test
    void groupedAndDepthwiseConvMatchDjl() {
        long[] xShape = {1, 8, 7, 7};
        long[] groupedShape = {4, 4, 3, 3}; // 8 -> 4 channels in 2 groups
        long[] depthwiseShape = {8, 1, 3, 3}; // depthwise, dilation 2, no bias
        float[] x = randoms(xShape);
        float[] wg = randoms(groupedShape);
        float[] bg = randoms(4);
        float[] wd = randoms(depthwiseShape);

        OnnxGraphBuilder g = new OnnxGraphBuilder("grouped");
        String in = g.input("x", "batch", 8, 7, 7);
        String grouped = g.conv(in, wg, groupedShape, bg, ConvParams.of(1, 1).withGroup(2));
        String depthwise =
                g.conv(
                        in,
                        wd,
                        depthwiseShape,
                        null,
                        ConvParams.of(1, 2).withGroup(8).withDilation(2));
        g.output(grouped).output(depthwise);

        try (NDManager m = manager.newSubManager()) {
            NDArray xs = nd(m, x, xShape);
            NDArray eg =
                    Conv2d.conv2d(
                                    xs,
                                    nd(m, wg, groupedShape),
                                    nd(m, bg, 4),
                                    new Shape(1, 1),
                                    new Shape(1, 1),
                                    new Shape(1, 1),
                                    2)
                            .singletonOrThrow();
            NDArray ed =
                    Conv2d.conv2d(
                                    xs,
                                    nd(m, wd, depthwiseShape),
                                    null,
                                    new Shape(1, 1),
                                    new Shape(2, 2),
                                    new Shape(2, 2),
                                    8)
                            .singletonOrThrow();
            assertMatches(g, x, xShape, Map.of(grouped, eg, depthwise, ed));
        }
    }

    @Test
    void splitSliceConcatMatchDjl() {
        long[] xShape = {2, 6, 4, 4};
        float[] x = randoms(xShape);

        OnnxGraphBuilder g = new OnnxGraphBuilder("split_concat");
        String in = g.input("x", "batch", 6, 4, 4);
        String[] parts = g.split(in, 1, 2, 4); // C2f-style uneven split
        String tail =
                g.slice(
                        parts[1],
                        new long[] {1},
                        new long[] {4},
                        new long[] {1},
                        new long[] {2}); // ch 1,3
        String y = g.concat(1, parts[1], parts[0], tail);
        g.output(y, "batch", 8, 4, 4);

        try (NDManager m = manager.newSubManager()) {
            NDList split =
                    nd(m, x, xShape).split(new long[] {2}, 1); // DJL takes split points, not sizes
            NDArray tailD = split.get(1).get(":, 1:4:2");
            NDArray expected = split.get(1).concat(split.get(0), 1).concat(tailD, 1);
            assertMatches(g, x, xShape, Map.of(y, expected));
        }
    }

    @Test
    void maxPool5x5Stride1Pad2MatchesDjl() {
        long[] xShape = {1, 4, 8, 8};
        float[] x = randoms(xShape);

        OnnxGraphBuilder g = new OnnxGraphBuilder("sppf_pool");
        String in = g.input("x", "batch", 4, 8, 8);
        String p1 = g.maxPool(in, 5, 1, 2);
        String p2 = g.maxPool(p1, 5, 1, 2); // SPPF chains the same pool
        g.output(g.concat(1, in, p1, p2));

        try (NDManager m = manager.newSubManager()) {
            NDArray xs = nd(m, x, xShape);
            NDArray e1 =
                    Pool.maxPool2d(xs, new Shape(5, 5), new Shape(1, 1), new Shape(2, 2), false);
            NDArray e2 =
                    Pool.maxPool2d(e1, new Shape(5, 5), new Shape(1, 1), new Shape(2, 2), false);
            assertMatches(
                    g,
                    x,
                    xShape,
                    Map.of(g.build().outputs().get(0).name(), xs.concat(e1, 1).concat(e2, 1)));
        }
    }

    @Test
    void nearestResizeByTwoMatchesTorchUpsample() {
        long[] xShape = {2, 3, 3, 5};
        float[] x = randoms(xShape);

        OnnxGraphBuilder g = new OnnxGraphBuilder("upsample");
        String in = g.input("x", "batch", 3, 3, 5);
        String y = g.resizeNearest(in, 2f);
        g.output(y, "batch", 3, 6, 10);

        try (NDManager m = manager.newSubManager()) {
            // torch Upsample(scale_factor=2, 'nearest'): out[i, j] = in[i / 2, j / 2]
            NDArray expected =
                    nd(m, x, xShape)
                            .reshape(2, 3, 3, 1, 5, 1)
                            .broadcast(2, 3, 3, 2, 5, 2)
                            .reshape(2, 3, 6, 10);
            assertMatches(g, x, xShape, Map.of(y, expected));
        }
    }

    @Test
    void attentionLikeChainMatchesDjl() {
        // YOLO11 Attention shape flow: [B, C, H, W] -> [B, heads, q+k+v, N] -> split -> q^T k ->
        // softmax -> v attn^T
        long[] xShape = {2, 8, 4, 4};
        float[] x = randoms(xShape);
        float scale = 0.7f;

        OnnxGraphBuilder g = new OnnxGraphBuilder("attention");
        String in = g.input("x", "batch", 8, 4, 4);
        String qkv = g.reshape(in, 0, 2, 4, 16); // 0 keeps the (dynamic) batch
        String[] s = g.split(qkv, 2, 1, 1, 2);
        String attn = g.matMul(g.transpose(s[0], 0, 1, 3, 2), s[1]);
        attn = g.softmax(g.mul(attn, g.initializer("scale", new float[] {scale})), -1);
        String out = g.matMul(s[2], g.transpose(attn, 0, 1, 3, 2));
        String y = g.identity(g.reshape(out, 0, 4, 4, 4), "output0");
        g.output(y, "batch", 4, 4, 4);

        try (NDManager m = manager.newSubManager()) {
            NDList split = nd(m, x, xShape).reshape(2, 2, 4, 16).split(new long[] {1, 2}, 2);
            NDArray a =
                    split.get(0).transpose(0, 1, 3, 2).matMul(split.get(1)).mul(scale).softmax(-1);
            NDArray expected = split.get(2).matMul(a.transpose(0, 1, 3, 2)).reshape(2, 4, 4, 4);
            assertMatches(g, x, xShape, Map.of("output0", expected));
        }
    }

    @Test
    void elementwiseSubDivBroadcastMatchDjl() {
        long[] xShape = {1, 2, 3, 3};
        float[] x = randoms(xShape);
        float[] c = {1.5f, -2.5f};

        OnnxGraphBuilder g = new OnnxGraphBuilder("elementwise");
        String in = g.input("x", "batch", 2, 3, 3);
        String k = g.initializer("k", c, 1, 2, 1, 1);
        String y = g.div(g.sub(in, k), g.add(k, g.initializer("four", new float[] {4f})));
        g.output(y);

        try (NDManager m = manager.newSubManager()) {
            NDArray kk = nd(m, c, 1, 2, 1, 1);
            NDArray expected = nd(m, x, xShape).sub(kk).div(kk.add(4f));
            assertMatches(g, x, xShape, Map.of(y, expected));
        }
    }

    @Test
    void foldedConvBatchNormMatchesDjlConvThenInferenceBatchNorm() {
        long[] xShape = {2, 4, 6, 6};
        long[] wShape = {6, 4, 3, 3};
        float[] x = randoms(xShape);
        float[] w = randoms(wShape);
        float[] gamma = randoms(6);
        float[] beta = randoms(6);
        float[] mean = randoms(6);
        float[] var = new float[6];
        for (int i = 0; i < var.length; i++) {
            var[i] = 0.05f + random.nextFloat(); // positive, some small to stress the scale
        }
        float eps = 1e-3f; // ultralytics' BN eps

        BatchNormFolding.Folded f = BatchNormFolding.fold(w, 6, gamma, beta, mean, var, eps);
        OnnxGraphBuilder g = new OnnxGraphBuilder("conv_bn");
        String in = g.input("x", "batch", 4, 6, 6);
        String y = g.silu(g.conv(in, f.weight(), wShape, f.bias(), ConvParams.of(1, 1)));
        g.output(y);

        try (NDManager m = manager.newSubManager()) {
            NDArray conv =
                    Conv2d.conv2d(
                                    nd(m, x, xShape),
                                    nd(m, w, wShape),
                                    null,
                                    new Shape(1, 1),
                                    new Shape(1, 1),
                                    new Shape(1, 1),
                                    1)
                            .singletonOrThrow();
            NDArray bn =
                    BatchNorm.batchNorm(
                                    conv,
                                    nd(m, mean, 6),
                                    nd(m, var, 6),
                                    nd(m, gamma, 6),
                                    nd(m, beta, 6),
                                    1,
                                    0.03f,
                                    eps,
                                    false)
                            .singletonOrThrow();
            NDArray expected = Activation.swish(bn, 1f);
            assertMatches(g, x, xShape, Map.of(y, expected));
        }
    }

    // ---- helpers
    // -----------------------------------------------------------------------------------

    private void assertMatches(
            OnnxGraphBuilder g, float[] x, long[] xShape, Map<String, NDArray> expected) {
        Map<String, FloatTensor> actual =
                OnnxRuntimeCheck.run(g.toBytes(), "test graph", new FloatTensor(x, xShape));
        for (var e : expected.entrySet()) {
            FloatTensor want =
                    new FloatTensor(
                            e.getValue().toFloatArray(), e.getValue().getShape().getShape());
            FloatTensor got = actual.get(e.getKey());
            assertTrue(
                    got != null,
                    "ORT produced no output '" + e.getKey() + "', only " + actual.keySet());
            Comparison c = OnnxRuntimeCheck.compare(e.getKey(), got, want);
            assertArrayEquals(want.shape(), got.shape(), c.toString());
            assertTrue(c.within(TOLERANCE), c.toString());
        }
    }

    private float[] randoms(long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = random.nextFloat() * 2 - 1;
        }
        return out;
    }

    private static NDArray nd(NDManager m, float[] data, long... shape) {
        return m.create(data, new Shape(shape));
    }
}
