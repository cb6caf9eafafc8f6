package io.prunesweep.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The check itself: it passes on a correct backend, catches the faulty hosts' pattern, and padding
 * changes nothing.
 */
class ConvSelfCheckTest {
    private final BackendSettings before = Convolutions.active();

    @AfterEach
    void restore() {
        Convolutions.SimulatedFault.set("");
        Convolutions.use(before);
    }

    @Test
    void passesHereWithEverySettingThisProcessCanTake() {
        BackendSettings chosen = Convolutions.active();
        // padding is checked where oneDNN runs; a host whose verdict turned oneDNN off has no
        // padded rung that passes
        BackendSettings[] settings =
                chosen.onednn()
                        ? new BackendSettings[] {
                            chosen, new BackendSettings(chosen.isa(), 16, true)
                        }
                        : new BackendSettings[] {chosen};
        for (BackendSettings s : settings) {
            Convolutions.use(s);
            ConvSelfCheck.Report r = ConvSelfCheck.run(false, 1);
            assertTrue(r.passed(), s.label() + ": " + r.summary());
            assertEquals(ConvSelfCheck.cases(false).size(), r.compared());
            assertTrue(
                    r.worstError() < 1e-5,
                    "float32 vs float64 worst relative error " + r.worstError());
        }
    }

    @Test
    void catchesWrongTailKernelsAndPaddingAvoidsThem() {
        // the fault is simulated on top of right kernels: a host whose own default kernels are
        // wrong cannot tell them apart
        assumeTrue(
                before.equals(BackendSettings.LADDER.get(0)),
                "this host's default oneDNN settings are wrong: " + before.label());
        Convolutions.use(BackendSettings.LADDER.get(0));
        Convolutions.SimulatedFault.set("tail16");
        ConvSelfCheck.Report wrong = ConvSelfCheck.run(false, 1);
        assertFalse(wrong.passed(), "a corrupted tail kernel must fail the check");
        for (ConvSelfCheck.Failure f : wrong.failures()) {
            var c = f.c();
            assertTrue(
                    c.k() == 3 && c.groups() == 1 && c.cin() > 16 && c.cin() % 16 != 0,
                    "only tail widths are wrong: " + f);
        }
        // every width the fault touches is caught: 20, 24, 39, 40, 56, 120 input channels
        long widths = wrong.failures().stream().mapToInt(f -> f.c().cin()).distinct().count();
        assertEquals(6, widths, wrong.summary());
        Convolutions.use(BackendSettings.LADDER.get(1));
        ConvSelfCheck.Report padded = ConvSelfCheck.run(false, 1);
        assertTrue(padded.passed(), "padding to 16 avoids the tail kernels: " + padded.summary());
    }

    @Test
    void paddedConvolutionEqualsPlainForwardAndBackward() {
        // ATen's own kernels (oneDNN off) are the independent baseline; padding runs on this
        // process's oneDNN ISA.
        // Where the verdict turned oneDNN off, this host's oneDNN is wrong with or without
        // padding.
        assumeTrue(before.onednn(), "oneDNN is off on this host: " + before.label());
        assertPaddingChangesNothing(
                new BackendSettings(before.isa(), 0, false),
                new BackendSettings(before.isa(), 16, true),
                1e-4,
                false);
    }

    @Test
    void paddingIsExactOnAtenKernels() {
        // where oneDNN is off (the test above is skipped), the padding arithmetic itself, zero
        // channels in and out, is still checked on the kernels this process runs
        assumeTrue(!before.onednn(), "oneDNN is on here: the test above covers padding");
        // ATen's GEMM sums over the padded width in another order: equal up to float32 rounding,
        // 1e-6 of the largest value (measured 5e-7 for dL/dx)
        assertPaddingChangesNothing(
                before, new BackendSettings(before.isa(), 16, false), 1e-6, true);
    }

    /**
     * Output and gradients with padding equal those without, within {@code tolerance}: absolute, or
     * relative to each array's largest magnitude.
     */
    private static void assertPaddingChangesNothing(
            BackendSettings plainS, BackendSettings padS, double tolerance, boolean relative) {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray x = m.randomNormal(new Shape(2, 40, 9, 9));
            NDArray w = m.randomNormal(new Shape(24, 20, 3, 3));
            NDArray b = m.randomNormal(new Shape(24));
            NDArray[] plain = run(plainS, x, w, b);
            NDArray[] padded = run(padS, x, w, b);
            assertEquals(plain[0].getShape(), padded[0].getShape());
            for (int i = 0; i < plain.length; i++) {
                float d = plain[i].sub(padded[i]).abs().max().getFloat();
                double bound = relative ? tolerance * plain[i].abs().max().getFloat() : tolerance;
                assertTrue(d < bound, "output/grad " + i + " differs by " + d + " > " + bound);
            }
        }
    }

    /**
     * y, dL/dx, dL/dw, dL/db of a 3x3 stride-2 convolution over a channel slice (a C2f split half),
     * L = sum(y^2).
     */
    private static NDArray[] run(BackendSettings s, NDArray x0, NDArray w0, NDArray b0) {
        Convolutions.use(s);
        NDArray x = x0.duplicate(), w = w0.duplicate(), b = b0.duplicate();
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            y =
                    Convolutions.conv2d(
                            x.get(new NDIndex(":, 20:40")),
                            w,
                            b,
                            new Shape(2, 2),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            1);
            gc.backward(y.square().sum());
        }
        return new NDArray[] {
            y.stopGradient().duplicate(),
            x.getGradient().duplicate(),
            w.getGradient().duplicate(),
            b.getGradient().duplicate()
        };
    }

    @Test
    void padsOnlyPastOneBlockAndOffTheMultiple() {
        assertEquals(0, Convolutions.extra(3, 16));
        assertEquals(0, Convolutions.extra(16, 16));
        assertEquals(0, Convolutions.extra(64, 16));
        assertEquals(12, Convolutions.extra(20, 16));
        assertEquals(8, Convolutions.extra(120, 16));
        assertEquals(1, Convolutions.extra(39, 8));
    }
}
