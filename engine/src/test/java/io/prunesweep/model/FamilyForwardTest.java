package io.prunesweep.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prunesweep.model.nn.YoloNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward passes of the anchor-based YOLOv5, YOLOv10 and MCA against hand-computed upstream
 * formulas.
 */
class FamilyForwardTest {

    @Test
    void yolov5RawMapsAndDecodeFollowUpstream() {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolov5"), "n", 3);
        Layer head = g.head();
        assertEquals("AnchorDetect", head.module());
        try (NDManager m = NDManager.newBaseManager()) {
            YoloNetwork net = new YoloNetwork(g, 0).initialize(m);
            Map<String, Parameter> p = net.parameters();
            assertEquals(
                    g.parameterCount(),
                    p.values().stream()
                            .filter(Parameter::requiresGradient)
                            .mapToLong(x -> x.getArray().size())
                            .sum(),
                    "trainable DJL parameters = graph count (anchors are a buffer)");
            // anchors buffer in grid units (YAML pixels / stride), as upstream keeps
            // model.24.anchors
            float[] anchors = p.get("model.24.anchors").getArray().toFloatArray();
            assertArrayEquals(
                    new float[] {10 / 8f, 13 / 8f, 16 / 8f, 30 / 8f, 33 / 8f, 23 / 8f},
                    java.util.Arrays.copyOf(anchors, 6));
            assertEquals(326 / 32f, anchors[17]);
            // objectness bias: default init + log(8 / (640 / 8)^2); class bias + log(0.6 / (nc -
            // 0.99999))
            float[] bias = p.get("model.24.m.0.bias").getArray().toFloatArray();
            float bound = (float) (1 / Math.sqrt(head.conv("m.0").in()));
            assertEquals(Math.log(8 / 6400.0), bias[4], bound + 1e-6);
            assertEquals(Math.log(0.6 / (3 - 0.99999)), bias[5 + 8 + 2], bound + 1e-6);

            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 96));
            ParameterStore ps = new ParameterStore(m, false);
            NDList raw = net.forward(ps, new NDList(x), true);
            assertEquals(3, raw.size());
            assertEquals(new Shape(2, 3 * 8, 8, 12), raw.get(0).getShape());
            assertEquals(new Shape(2, 3 * 8, 2, 3), raw.get(2).getShape());
            NDList rawEval = net.forwardRaw(ps, x, false);
            NDArray y = net.decode(rawEval);
            long cols = 3L * (8 * 12 + 4 * 6 + 2 * 3);
            assertEquals(new Shape(2, 4 + 3, cols), y.getShape());
            // image 1, level 1 (stride 16), anchor 2, cell (row 3, col 5): column = 3*96 + 2*24 +
            // 3*6 + 5
            float[] r = rawEval.get(1).toFloatArray(); // [2, 3*8, 4, 6]
            int col = 3 * 96 + 2 * 24 + 3 * 6 + 5;
            float[] out = y.toFloatArray();
            float[] s = new float[8];
            for (int k = 0; k < 8; k++) {
                s[k] = sigmoid(r[((1 * 24 + 2 * 8 + k) * 4 + 3) * 6 + 5]);
            }
            float[] expected = {
                (s[0] * 2 - 0.5f + 5) * 16,
                (s[1] * 2 - 0.5f + 3) * 16,
                (float) Math.pow(s[2] * 2, 2) * anchors[6 + 4] * 16,
                (float) Math.pow(s[3] * 2, 2) * anchors[6 + 5] * 16,
                s[5] * s[4],
                s[6] * s[4],
                s[7] * s[4]
            };
            for (int row = 0; row < 7; row++) {
                assertEquals(
                        expected[row],
                        out[(int) ((1 * 7 + row) * cols + col)],
                        1e-4 * Math.max(1, Math.abs(expected[row])),
                        "row " + row);
            }
        }
    }

    @Test
    void yolov10OneToOneHeadIsDetachedAndInferenceIsTopK() {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolov10"), "n", 3);
        try (NDManager m = NDManager.newBaseManager()) {
            YoloNetwork net = new YoloNetwork(g, 0).initialize(m);
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 96));
            ParameterStore ps = new ParameterStore(m, false);
            Map<String, Parameter> p = net.parameters();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList raw = net.forward(ps, new NDList(x), true);
                assertEquals(6, raw.size(), "one-to-many levels, then one-to-one levels");
                assertEquals(new Shape(2, 64 + 3, 8, 12), raw.get(3).getShape());
                gc.backward(raw.get(3).sum().add(raw.get(4).sum()).add(raw.get(5).sum()));
            }
            // the one-to-one loss trains only its own branch: no gradient reaches the backbone or
            // the other head
            assertEquals(
                    0f,
                    p.get("model.0.conv.weight").getArray().getGradient().abs().sum().getFloat());
            assertEquals(
                    0f,
                    p.get("model.23.cv2.0.0.conv.weight")
                            .getArray()
                            .getGradient()
                            .abs()
                            .sum()
                            .getFloat());
            assertTrue(
                    p.get("model.23.one2one_cv2.0.0.conv.weight")
                                    .getArray()
                                    .getGradient()
                                    .abs()
                                    .sum()
                                    .getFloat()
                            > 0);

            NDList raw = net.forwardRaw(ps, x, false);
            assertEquals(3, raw.size(), "inference runs the one-to-one head only");
            NDArray dense =
                    io.prunesweep.model.modules.DetectModule.decode(
                            g.head(),
                            io.prunesweep.model.modules.V10DetectModule.oneToOne(g.head(), raw),
                            p.get("model.23.dfl.conv.weight").getArray());
            NDArray y = net.decode(raw);
            int anchors = 8 * 12 + 4 * 6 + 2 * 3;
            assertEquals(
                    new Shape(2, 4 + 3, anchors),
                    y.getShape(),
                    "max_det 300 > 126 anchors: k = 126");
            float[] v = y.toFloatArray();
            float[] d = dense.toFloatArray();
            // best (anchor, class) pair of image 0, found by brute force over the dense one-to-one
            // output
            int bestA = 0, bestC = 0;
            for (int a = 0; a < anchors; a++) {
                for (int c = 0; c < 3; c++) {
                    if (d[(4 + c) * anchors + a] > d[(4 + bestC) * anchors + bestA]) {
                        bestA = a;
                        bestC = c;
                    }
                }
            }
            for (int row = 0; row < 4; row++) {
                assertEquals(d[row * anchors + bestA], v[row * anchors], 1e-5, "box row " + row);
            }
            for (int c = 0; c < 3; c++) {
                assertEquals(
                        c == bestC ? d[(4 + c) * anchors + bestA] : 0f, v[(4 + c) * anchors], 1e-6);
            }
            float previous = Float.MAX_VALUE;
            for (int j = 0; j < anchors; j++) {
                int nonZero = 0;
                float score = 0;
                for (int c = 0; c < 3; c++) {
                    float s = v[(4 + c) * anchors + j];
                    if (s != 0) {
                        nonZero++;
                    }
                    score += s;
                }
                assertTrue(nonZero <= 1, "one class per column");
                assertTrue(score <= previous + 1e-7, "columns sorted by score");
                previous = score;
            }
            assertTrue(DetectionHead.of(g).nmsFree());
        }
    }

    @Test
    void mcaComputesTheReferenceFormula(@TempDir Path dir) throws IOException {
        Path yaml = dir.resolve("mca.yaml");
        Files.writeString(
                yaml,
                "nc: 2\nbackbone:\n  - [-1, 1, Conv, [32, 3, 2]]\n  - [-1, 1, MCALayer, []]\n"
                        + "head:\n  - [[1], 1, Detect, [nc]]\n");
        ModelGraph g = GraphBuilder.build(ModelDefinition.read(yaml), null, null);
        Layer mca = g.layers().get(1);
        assertEquals(3, mca.intAttr("k"), "32 channels: round(|log2(32) - 1| / 1.5) = 3");
        assertEquals(5 + 5 + 5, mca.parameterCount(), "three gates of k + 2");
        int c = 32, h = 3, w = 4;
        try (NDManager m = NDManager.newBaseManager()) {
            YoloNetwork net = new YoloNetwork(g, 3).initialize(m);
            Map<String, Parameter> p = net.parameters();
            float[] x = new float[c * h * w];
            java.util.Random r = new java.util.Random(5);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            NDArray in = m.create(x, new Shape(1, c, h, w));
            float[] y =
                    net.layerBlocks()
                            .get(1)
                            .forward(new ParameterStore(m, false), new NDList(in), false)
                            .singletonOrThrow()
                            .toFloatArray();
            double[] gh = gate(x, c, h, w, 2, p, "model.1.h_cw.");
            double[] gw = gate(x, c, h, w, 3, p, "model.1.w_hc.");
            double[] gcc = gate(x, c, h, w, 1, p, "model.1.c_hw.");
            for (int ci = 0; ci < c; ci++) {
                for (int hi = 0; hi < h; hi++) {
                    for (int wi = 0; wi < w; wi++) {
                        int i = (ci * h + hi) * w + wi;
                        double expected = (x[i] * gcc[ci] + x[i] * gh[hi] + x[i] * gw[wi]) / 3;
                        assertEquals(expected, y[i], 1e-5, "at " + ci + "," + hi + "," + wi);
                    }
                }
            }
        }
    }

    /**
     * One MCAGate in plain Java: avg and unbiased std over the two other dims, mixed, 1-D conv,
     * sigmoid.
     */
    private static double[] gate(
            float[] x, int c, int h, int w, int axis, Map<String, Parameter> p, String prefix) {
        int len = axis == 1 ? c : axis == 2 ? h : w;
        double[] avg = new double[len];
        double[] std = new double[len];
        int n = c * h * w / len;
        for (int pass = 0; pass < 2; pass++) {
            for (int ci = 0; ci < c; ci++) {
                for (int hi = 0; hi < h; hi++) {
                    for (int wi = 0; wi < w; wi++) {
                        int j = axis == 1 ? ci : axis == 2 ? hi : wi;
                        double v = x[(ci * h + hi) * w + wi];
                        if (pass == 0) {
                            avg[j] += v / n;
                        } else {
                            std[j] += (v - avg[j]) * (v - avg[j]) / (n - 1);
                        }
                    }
                }
            }
        }
        float[] wt = p.get(prefix + "weight").getArray().toFloatArray();
        float[] kern = p.get(prefix + "conv.weight").getArray().toFloatArray();
        double w0 = 1 / (1 + Math.exp(-wt[0]));
        double w1 = 1 / (1 + Math.exp(-wt[1]));
        double[] mixed = new double[len];
        for (int j = 0; j < len; j++) {
            double s = Math.sqrt(std[j]);
            mixed[j] = 0.5 * (avg[j] + s) + w0 * avg[j] + w1 * s;
        }
        int pad = (kern.length - 1) / 2;
        double[] out = new double[len];
        for (int j = 0; j < len; j++) {
            double acc = 0;
            for (int k = 0; k < kern.length; k++) {
                int at = j + k - pad;
                if (at >= 0 && at < len) {
                    acc += kern[k] * mixed[at];
                }
            }
            out[j] = 1 / (1 + Math.exp(-acc));
        }
        return out;
    }

    @Test
    void graphsWithLayerTensorsSurviveJson() {
        for (String family : new String[] {"yolov5", "yolov8-mca", "yolov10"}) {
            ModelGraph g = GraphBuilder.build(ModelDefinition.bundled(family), "n", 4);
            ModelGraph back = ModelGraph.fromJson(g.toJson(), "test");
            assertEquals(g.parameterCount(), back.parameterCount(), family);
            assertEquals(g.toJson(), back.toJson(), family);
            assertEquals(g.head().tensors(), back.head().tensors(), family);
        }
        // checkpoints written before layers had tensors still load
        ModelGraph v8 = GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 4);
        String old = v8.toJson().replace(",\"tensors\":{}", "");
        assertTrue(!old.contains("tensors"));
        assertEquals(v8.toJson(), ModelGraph.fromJson(old, "old checkpoint").toJson());
    }

    private static float sigmoid(float v) {
        return (float) (1 / (1 + Math.exp(-v)));
    }
}
