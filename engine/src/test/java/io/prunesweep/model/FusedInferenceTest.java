package io.prunesweep.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.prunesweep.TrainedFixture;
import org.junit.jupiter.api.Test;

/**
 * BatchNorm folded into the convs for inference, on the trained fixture (its running statistics and
 * γ are far from 1 and 0, so a wrong fold shows): the fused copy predicts what the model predicts,
 * and refuses to train.
 */
class FusedInferenceTest {

    @Test
    void fusedCopyPredictsLikeTheModelOnTrainedWeights() {
        try (YoloModel model = TrainedFixture.loadDense();
                YoloModel fused = model.fused();
                NDManager m = NDManager.newBaseManager()) {
            NDArray images = TrainedFixture.shapesBatch(m, 4);
            float[] expected = model.predict(images).toFloatArray();
            float[] actual = fused.predict(images).toFloatArray();
            double worst = 0;
            double scale = 0;
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                scale = Math.max(scale, Math.abs(expected[i]));
            }
            // boxes are in pixels (up to 128), scores in [0, 1]: float rounding, not a different
            // network
            assertTrue(
                    worst < 2e-3 && worst / scale < 2e-5,
                    "fused vs unfused max abs diff " + worst + " of " + scale);
            // the original keeps its BatchNorm: folding worked on a copy
            assertArrayEquals(expected, model.predict(images).toFloatArray(), 0f);
            assertThrows(
                    IllegalStateException.class,
                    () -> fused.network().forwardRaw(new ParameterStore(m, false), images, true));
        }
    }
}
