package io.prunesweep.train.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class AnchorsAndTargetsTest {

    @Test
    void anchorsAreCellCentresRowMajorPerLevel() {
        try (NDManager m = NDManager.newBaseManager()) {
            Anchors a = Anchors.of(m, new long[][] {{2, 3}, {1, 2}}, new float[] {8, 16}, 0.5f);
            assertEquals(8, a.count());
            assertArrayEquals(
                    new float[] {
                        0.5f, 0.5f, 1.5f, 0.5f, 2.5f, 0.5f, 0.5f, 1.5f, 1.5f, 1.5f, 2.5f,
                        1.5f, // 2x3 at stride 8
                        0.5f, 0.5f, 1.5f, 0.5f
                    },
                    a.points().toFloatArray()); // 1x2 at stride 16
            assertArrayEquals(new float[] {8, 8, 8, 8, 8, 8, 16, 16}, a.strides().toFloatArray());
            assertEquals(new Shape(8, 1), a.strides().getShape());
        }
    }

    @Test
    void targetsArePaddedPerImageScaledAndXyxy() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] rows = {
                2, 1, 0.5f, 0.5f, 0.25f, 0.5f, // image 2
                0, 3, 0.25f, 0.25f, 0.5f, 0.5f, // image 0
                2, 0, 0.75f, 0.5f, 0.5f, 0.25f
            }; // image 2 again; image 1 has none
            PaddedTargets gt = PaddedTargets.of(m, m.create(rows, new Shape(3, 6)), 3, 4, 64, 128);
            assertEquals(2, gt.maxBoxes());
            assertArrayEquals(new float[] {3, 0, 0, 0, 1, 0}, gt.labels().toFloatArray());
            assertArrayEquals(new float[] {1, 0, 0, 0, 1, 1}, gt.mask().toFloatArray());
            assertArrayEquals(
                    new float[] {
                        0, 0, 64, 32, 0, 0, 0, 0, // image 0: cx 32, cy 16, w 64, h 32
                        0, 0, 0, 0, 0, 0, 0, 0, // image 1: padding
                        48, 16, 80, 48, 64, 24, 128, 40
                    },
                    gt.boxes().toFloatArray());
        }
    }

    @Test
    void emptyTargetsGiveZeroBoxes() {
        try (NDManager m = NDManager.newBaseManager()) {
            PaddedTargets gt = PaddedTargets.of(m, m.zeros(new Shape(0, 6)), 4, 80, 64, 64);
            assertEquals(new Shape(4, 0, 4), gt.boxes().getShape());
        }
    }

    @Test
    void badTargetsAreRejectedWithTheReason() {
        try (NDManager m = NDManager.newBaseManager()) {
            var e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    PaddedTargets.of(
                                            m,
                                            m.create(
                                                    new float[] {5, 0, .5f, .5f, .1f, .1f},
                                                    new Shape(1, 6)),
                                            2,
                                            3,
                                            8,
                                            8));
            assertEquals(
                    "detection target row 0 has batch index 5.0, expected an integer in [0, 2)",
                    e.getMessage());
            var c =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    PaddedTargets.of(
                                            m,
                                            m.create(
                                                    new float[] {0, 3, .5f, .5f, .1f, .1f},
                                                    new Shape(1, 6)),
                                            2,
                                            3,
                                            8,
                                            8));
            assertEquals(
                    "detection target row 0 has class 3.0, expected an integer in [0, 3); does the dataset's"
                            + " class count match the model's nc?",
                    c.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> PaddedTargets.of(m, m.zeros(new Shape(3, 5)), 2, 3, 8, 8));
        }
    }
}
