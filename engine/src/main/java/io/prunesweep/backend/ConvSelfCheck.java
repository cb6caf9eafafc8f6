package io.prunesweep.backend;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Checks this process's float32 convolutions, forward and backward, against an independent float64
 * computation in the same libtorch (oneDNN has no float64 kernels, so the reference runs ATen's own
 * im2col + GEMM). The cases are the shapes and layouts the engine produces: pruned widths that are
 * not multiples of a vector block, the channel-slice views of C2f/C3k2 splits, depthwise
 * convolutions, kernels 1 and 3, strides 1 and 2; repeated with new data and alternating thread
 * counts to catch results that change from run to run.
 */
public final class ConvSelfCheck {
    /**
     * Relative to the largest reference value: float32 sums of a few thousand terms are ~1e-6 off;
     * the faulty kernels were off by 0.1 and more.
     */
    static final double TOLERANCE = 2e-4;

    private static final int[] IN_WIDTHS = {3, 8, 12, 16, 20, 24, 39, 40, 56, 64, 120};
    private static final int[] OUT_WIDTHS = {8, 24, 40};
    private static final int[] DEPTHWISE = {24, 40, 120};
    private static final int[] QUICK_IN_WIDTHS = {20, 40, 120};

    private ConvSelfCheck() {}

    /**
     * One convolution: widths, kernel, stride, groups, whether the input is a channel slice of a
     * wider tensor, size.
     */
    record Case(int cin, int cout, int k, int stride, int groups, boolean sliced, int size) {
        @Override
        public String toString() {
            return "cin"
                    + cin
                    + " cout"
                    + cout
                    + " k"
                    + k
                    + " s"
                    + stride
                    + (groups > 1 ? " dw" : "")
                    + (sliced ? " slice" : "")
                    + " "
                    + size
                    + "px";
        }
    }

    /**
     * What one case measured: the worst relative error over output, input gradient and weight
     * gradient.
     */
    record Failure(Case c, String what, double error) {
        @Override
        public String toString() {
            return c
                    + " "
                    + what
                    + " err "
                    + (Double.isNaN(error) ? "NaN" : String.format("%.3g", error));
        }
    }

    /**
     * The outcome: how many convolutions were compared, the worst error seen, and every failure.
     */
    public record Report(int compared, double worstError, List<Failure> failures, long millis) {
        public boolean passed() {
            return failures.isEmpty();
        }

        public String summary() {
            String worst = Double.isNaN(worstError) ? "NaN" : String.format("%.2g", worstError);
            if (passed()) {
                return compared
                        + " convolutions fwd+bwd within "
                        + TOLERANCE
                        + " of float64 (worst "
                        + worst
                        + ")";
            }
            return failures.size()
                    + " of "
                    + compared
                    + " convolutions wrong, e.g. "
                    + failures.get(0)
                    + (failures.size() > 1 ? "; " + failures.get(failures.size() - 1) : "");
        }
    }

    static List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (int cin : quick ? QUICK_IN_WIDTHS : IN_WIDTHS) {
            for (int cout : quick ? new int[] {24} : OUT_WIDTHS) {
                for (int k : quick ? new int[] {3} : new int[] {1, 3}) {
                    for (int s : new int[] {1, 2}) {
                        for (boolean sliced : new boolean[] {false, true}) {
                            cases.add(
                                    new Case(
                                            cin,
                                            cout,
                                            k,
                                            s,
                                            1,
                                            sliced,
                                            switch (i++ % 3) {
                                                case 0 -> 13;
                                                case 1 -> 9;
                                                default -> 8;
                                            }));
                        }
                    }
                }
            }
        }
        for (int c : quick ? new int[] {40} : DEPTHWISE) {
            for (int s : new int[] {1, 2}) {
                cases.add(new Case(c, c, 3, s, c, false, 8));
            }
        }
        return cases;
    }

    /**
     * Runs every case {@code repeats} times (new data each time); never throws for wrong numbers,
     * only reports them.
     */
    public static Report run(boolean quick, int repeats) {
        long t0 = System.nanoTime();
        List<Case> cases = cases(quick);
        List<Failure> failures = new ArrayList<>();
        double worst = 0;
        int compared = 0;
        Engine.getEngine("PyTorch"); // loads libtorch (and its JNI) if nothing has yet
        int threads = JniUtils.getNumThreads();
        Random rnd = new Random(20261205L);
        try (NDManager root = NDManager.newBaseManager()) {
            for (int r = 0; r < repeats; r++) {
                // alternate 1 thread and all threads: a kernel's blocking (and a race) can depend
                // on the split
                if (threads > 1) {
                    JniUtils.setNumThreads(r % 2 == 0 ? threads : 1);
                }
                for (Case c : cases) {
                    try (NDManager m = root.newSubManager()) {
                        double e = compare(m, c, rnd.nextInt());
                        compared++;
                        if (!(e <= TOLERANCE)) {
                            failures.add(new Failure(c, "fwd/bwd", e));
                        }
                        if (Double.isNaN(e) || e > worst) {
                            worst = e;
                        }
                    }
                }
            }
        } finally {
            if (threads > 1) {
                JniUtils.setNumThreads(threads);
            }
        }
        return new Report(compared, worst, failures, (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The worst relative error of y, dL/dx and dL/dw against float64, for L = sum(y * r). NaN if
     * anything is not finite.
     */
    static double compare(NDManager m, Case c, int seed) {
        m.getEngine().setRandomSeed(seed);
        int wide = c.sliced ? c.cin * 2 : c.cin;
        NDArray x = m.randomNormal(new Shape(2, wide, c.size, c.size));
        NDArray w = m.randomNormal(new Shape(c.cout, c.cin / c.groups, c.k, c.k)).mul(0.2f);
        int out = (c.size + 2 * (c.k / 2) - c.k) / c.stride + 1;
        NDArray r = m.randomNormal(new Shape(2, c.cout, out, out));
        NDArray[] f32 = convAndGrads(x, w, r, c, true);
        NDArray[] f64 =
                convAndGrads(
                        x.toType(DataType.FLOAT64, true),
                        w.toType(DataType.FLOAT64, true),
                        r.toType(DataType.FLOAT64, true),
                        c,
                        false);
        double worst = 0;
        for (int i = 0; i < 3; i++) {
            NDArray a = f32[i].toType(DataType.FLOAT64, true);
            double scale = Math.max(1e-6, f64[i].abs().max().getDouble());
            double e = a.sub(f64[i]).abs().max().getDouble() / scale;
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                return Double.NaN;
            }
            worst = Math.max(worst, e);
        }
        return worst;
    }

    /** Through the engine's path ({@code underTest}), or straight to libtorch for the reference. */
    private static NDArray[] convAndGrads(
            NDArray x, NDArray w, NDArray r, Case c, boolean underTest) {
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray in = c.sliced ? x.get(new NDIndex(":, 0:" + c.cin)) : x;
            Shape stride = new Shape(c.stride, c.stride),
                    pad = new Shape(c.k / 2, c.k / 2),
                    dil = new Shape(1, 1);
            y =
                    underTest
                            ? Convolutions.conv2d(in, w, null, stride, pad, dil, c.groups)
                            : in.getNDArrayInternal()
                                    .convolution(in, w, null, stride, pad, dil, c.groups)
                                    .singletonOrThrow();
            gc.backward(y.mul(r).sum());
        }
        NDArray gx = x.getGradient().get(new NDIndex(":, 0:" + c.cin));
        return new NDArray[] {y.stopGradient(), gx, w.getGradient()};
    }
}
