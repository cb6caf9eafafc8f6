package io.prunesweep.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prunesweep.model.nn.Ops;
import io.prunesweep.model.nn.YoloNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkForwardTest {

    @ParameterizedTest
    @ValueSource(strings = {"yolov8", "yolo11", "yolov5u"})
    void trainingAndInferenceShapes(String family) {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled(family), "n", 3);
        try (NDManager m = NDManager.newBaseManager()) {
            YoloNetwork net = new YoloNetwork(g, 0).initialize(m);
            assertEquals(
                    g.parameterCount(),
                    net.parameters().values().stream()
                            .filter(p -> !p.getName().contains("running_"))
                            .mapToLong(p -> p.getArray().size())
                            .sum(),
                    "DJL parameters equal the graph's count");
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 64, 96));
            ParameterStore ps = new ParameterStore(m, false);
            NDList raw = net.forward(ps, new NDList(x), true);
            assertEquals(3, raw.size());
            assertEquals(new Shape(2, 64 + 3, 8, 12), raw.get(0).getShape());
            assertEquals(new Shape(2, 64 + 3, 4, 6), raw.get(1).getShape());
            assertEquals(new Shape(2, 64 + 3, 2, 3), raw.get(2).getShape());
            NDArray y = net.forward(ps, new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(2, 4 + 3, 8 * 12 + 4 * 6 + 2 * 3), y.getShape());
            float[] v = y.toFloatArray();
            int a = (int) y.getShape().get(2);
            for (int i = 0; i < a; i++) {
                assertTrue(v[2 * a + i] > 0 && v[3 * a + i] > 0, "positive box width/height");
                for (int c = 4; c < 7; c++) {
                    assertTrue(v[c * a + i] > 0 && v[c * a + i] < 1, "class scores in (0,1)");
                }
            }
        }
    }

    @Test
    void sameSeedSameWeights() {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2);
        try (NDManager m = NDManager.newBaseManager()) {
            YoloNetwork a = new YoloNetwork(g, 7).initialize(m);
            YoloNetwork b = new YoloNetwork(g, 7).initialize(m);
            String k = "model.2.m.0.cv1.conv.weight";
            assertArrayEquals(
                    a.parameters().get(k).getArray().toFloatArray(),
                    b.parameters().get(k).getArray().toFloatArray());
            // Detect bias init as ultralytics: box 1.0, class log(5 / nc / (640 / 8)^2) at stride 8
            assertEquals(
                    1.0f, a.parameters().get("model.22.cv2.0.2.bias").getArray().toFloatArray()[0]);
            assertEquals(
                    (float) Math.log(5.0 / 2 / (80.0 * 80.0)),
                    a.parameters().get("model.22.cv3.0.2.bias").getArray().toFloatArray()[1],
                    1e-6);
            assertArrayEquals(
                    new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
                    a.parameters().get("model.22.dfl.conv.weight").getArray().toFloatArray());
        }
    }

    @Test
    void nearestUpsampleRepeatsPixels() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            assertArrayEquals(
                    new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                    Ops.upsampleNearest(x, 2).toFloatArray());
        }
    }

    @Test
    void batchNormInferenceUsesRunningStatsWithUltralyticsEps() {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2);
        try (NDManager m = NDManager.newBaseManager()) {
            YoloNetwork net = new YoloNetwork(g, 1).initialize(m);
            var p = net.parameters();
            p.get("model.0.bn.running_mean")
                    .getArray()
                    .set(m.full(new Shape(16), 0.5f).toFloatArray());
            p.get("model.0.bn.running_var")
                    .getArray()
                    .set(m.full(new Shape(16), 4f).toFloatArray());
            NDArray x = m.randomUniform(0f, 1f, new Shape(1, 3, 8, 8));
            var block = net.layerBlocks().get(0);
            NDArray y =
                    block.forward(new ParameterStore(m, false), new NDList(x), false)
                            .singletonOrThrow();
            NDArray w = p.get("model.0.conv.weight").getArray();
            NDArray conv =
                    x.getNDArrayInternal()
                            .convolution(
                                    x,
                                    w,
                                    null,
                                    new Shape(2, 2),
                                    new Shape(1, 1),
                                    new Shape(1, 1),
                                    1)
                            .singletonOrThrow();
            NDArray bn = conv.sub(0.5f).div((float) Math.sqrt(4 + 1e-3));
            NDArray expected = bn.mul(bn.getNDArrayInternal().sigmoid());
            assertTrue(expected.sub(y).abs().max().getFloat() < 1e-5);
        }
    }
}
