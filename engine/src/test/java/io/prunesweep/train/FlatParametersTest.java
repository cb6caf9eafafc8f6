package io.prunesweep.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prunesweep.TrainedFixture;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.YoloModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The flat buffers on the trained YOLOv8n fixture (non-uniform BN statistics, so every tensor's
 * values matter): binding changes no value, backward lands in the gradient buffer exactly as it
 * lands in an unbound copy's own gradients, in-place updates of the buffer are the model's updates,
 * and the EMA model follows the buffer.
 */
class FlatParametersTest {

    /**
     * Sum of all outputs of a forward pass in training mode: a loss whose gradient reaches every
     * parameter.
     */
    private static void backward(YoloModel model, NDArray images) {
        try (NDManager scope = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDList raw = model.network().forwardRaw(new ParameterStore(scope, false), images, true);
            NDArray total = null;
            for (NDArray a : raw) {
                total = total == null ? a.sum() : total.add(a.sum());
            }
            gc.backward(total);
        }
    }

    private static List<float[]> grads(YoloModel model, List<String> names) {
        Map<String, Parameter> ps = model.network().parameters();
        List<float[]> out = new ArrayList<>();
        for (String n : names) {
            NDArray g = ps.get(n).getArray().getGradient();
            out.add(g.toFloatArray());
            g.close();
        }
        return out;
    }

    @Test
    void bindingKeepsValuesAndBackwardFillsTheFlatGradientsExactly() {
        try (YoloModel bound = TrainedFixture.loadDense();
                YoloModel plain = TrainedFixture.loadDense();
                NDManager m = NDManager.newBaseManager()) {
            Map<String, Tensor> before = bound.stateDict();
            NDArray images = TrainedFixture.shapesBatch(m, 4);
            try (FlatParameters flat = FlatParameters.of(bound.network().parameters())) {
                Map<String, Tensor> after = bound.stateDict();
                before.forEach((k, t) -> assertArrayEquals(t.data(), after.get(k).data(), 0f, k));

                List<String> trainable = flat.names().subList(0, flat.parameters().size());
                backward(bound, images);
                backward(plain, images);
                List<float[]> expected = grads(plain, trainable);
                List<float[]> own = grads(bound, trainable);
                float[] packed = flat.gradientValues();
                int at = 0;
                for (int i = 0; i < trainable.size(); i++) {
                    assertArrayEquals(expected.get(i), own.get(i), 0f, trainable.get(i));
                    float[] part =
                            java.util.Arrays.copyOfRange(packed, at, at + expected.get(i).length);
                    assertArrayEquals(
                            expected.get(i), part, 0f, "flat gradient of " + trainable.get(i));
                    at += expected.get(i).length;
                }
                assertEquals(flat.packedSize(), at);
                // BN running statistics were updated in place by the training-mode forward, inside
                // the buffer
                assertArrayEquals(
                        plain.stateDict().get("model.0.bn.running_mean").data(),
                        bound.stateDict().get("model.0.bn.running_mean").data(),
                        0f);

                // an in-place update of the buffer is an update of the model
                try (NDManager scope = m.newSubManager()) {
                    flat.weights(scope).subi(1f);
                }
                float[] w0 = before.get("model.0.conv.weight").data();
                float[] w1 = bound.stateDict().get("model.0.conv.weight").data();
                for (int i = 0; i < w0.length; i++) {
                    assertEquals(w0[i] - 1f, w1[i], 1e-6f);
                }

                // zeroing clears non-finite values too, and the next backward accumulates from zero
                // again
                try (NDManager scope = m.newSubManager()) {
                    flat.gradients(scope).set(new NDIndex("0:3"), Float.NaN);
                }
                flat.zeroGradients();
                for (float v : flat.gradientValues()) {
                    assertEquals(0f, v);
                }
                float[] seeded = new float[(int) flat.packedSize()];
                for (int i = 0; i < seeded.length; i++) {
                    seeded[i] = i % 7;
                }
                flat.seedGradients(seeded);
                assertArrayEquals(seeded, flat.gradientValues(), 0f);
            }
        }
    }

    @Test
    void emaModelFollowsTheBufferWithOneUpdate() {
        try (YoloModel model = TrainedFixture.loadDense();
                FlatParameters flat = FlatParameters.of(model.network().parameters());
                ModelEma ema = new ModelEma(model, flat, 0.9, 1.0);
                NDManager m = NDManager.newBaseManager()) {
            Map<String, Tensor> start = model.stateDict();
            try (NDManager scope = m.newSubManager()) {
                flat.allWeights(scope).addi(2f);
            }
            ema.update(); // d = 0.9 * (1 - exp(-1))
            float d = (float) (0.9 * (1 - Math.exp(-1)));
            Map<String, Tensor> averaged = ema.model().stateDict();
            for (String k :
                    List.of(
                            "model.0.conv.weight",
                            "model.2.cv1.bn.running_var",
                            "model.22.dfl.conv.weight")) {
                float[] s = start.get(k).data();
                float[] a = averaged.get(k).data();
                for (int i = 0; i < s.length; i++) {
                    assertEquals(d * s[i] + (1 - d) * (s[i] + 2f), a[i], 1e-5f, k);
                }
            }
            assertTrue(flat.size() >= flat.packedSize());
        }
    }
}
