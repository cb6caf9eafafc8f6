package io.prunesweep.backend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * Every convolution of the engine goes through here, so the backend's settings apply to all of them
 * (and the self-check exercises exactly this path). With channel padding on, a k &gt; 1 convolution
 * whose input or output width is not a multiple of {@code padTo} runs at the next multiple with
 * zero channels and zero weights: the result, and the gradients of the real channels, are
 * unchanged; only oneDNN's partial-vector tail kernels, the ones seen to be wrong on some AVX-512
 * hosts, are never used.
 */
public final class Convolutions {
    private Convolutions() {}

    private static volatile BackendSettings active = BackendSettings.LADDER.get(0);

    /**
     * Settings this process runs with; set by {@link BackendGuard} (and the probe) before any work.
     */
    public static BackendSettings active() {
        return active;
    }

    static void use(BackendSettings settings) {
        active = settings;
    }

    public static NDArray conv2d(
            NDArray x,
            NDArray weight,
            NDArray bias,
            Shape stride,
            Shape padding,
            Shape dilation,
            int groups) {
        int pad = active.padTo();
        long[] w = weight.getShape().getShape();
        long cout = w[0];
        long cin = w[1] * groups;
        boolean spatial = w[2] > 1 || w[3] > 1;
        long padIn = pad > 0 && spatial && groups == 1 ? extra(cin, pad) : 0;
        long padOut = pad > 0 && spatial && groups == 1 ? extra(cout, pad) : 0;
        // results land in the manager of their first operand: the padded weight must not land in
        // the model's
        // (one copy per forward, never freed), so everything padded goes to the input's (the
        // batch's) scope
        NDManager scope = x.getManager();
        if (padIn > 0) {
            long[] xs = x.getShape().getShape();
            x =
                    NDArrays.concat(
                            new NDList(
                                    x,
                                    x.getManager()
                                            .zeros(
                                                    new Shape(xs[0], padIn, xs[2], xs[3]),
                                                    x.getDataType(),
                                                    x.getDevice())),
                            1);
            weight =
                    NDArrays.concat(
                            new NDList(
                                    weight,
                                    x.getManager()
                                            .zeros(
                                                    new Shape(cout, padIn, w[2], w[3]),
                                                    weight.getDataType(),
                                                    weight.getDevice())),
                            1);
            weight.attach(scope);
        }
        if (padOut > 0) {
            long[] ws = weight.getShape().getShape();
            weight =
                    NDArrays.concat(
                            new NDList(
                                    weight,
                                    x.getManager()
                                            .zeros(
                                                    new Shape(padOut, ws[1], ws[2], ws[3]),
                                                    weight.getDataType(),
                                                    weight.getDevice())),
                            0);
            weight.attach(scope);
            if (bias != null) {
                bias =
                        NDArrays.concat(
                                new NDList(
                                        bias,
                                        x.getManager()
                                                .zeros(
                                                        new Shape(padOut),
                                                        bias.getDataType(),
                                                        bias.getDevice())),
                                0);
                bias.attach(scope);
            }
        }
        NDArray y =
                x.getNDArrayInternal()
                        .convolution(x, weight, bias, stride, padding, dilation, groups)
                        .singletonOrThrow();
        if (padOut > 0) {
            y = y.get(new NDIndex(":, 0:" + cout));
        }
        return SimulatedFault.apply(y, cin + padIn, spatial, groups, active);
    }

    /**
     * Zero channels that bring {@code c} to a multiple of {@code m}; none where c fits in one
     * vector block already.
     */
    static long extra(long c, int m) {
        return c <= m || c % m == 0 ? 0 : m - c % m;
    }

    /**
     * A test hook (variable {@code PRUNESWEEP_BACKEND_FAULT}) that makes this process's
     * convolutions wrong the way the faulty hosts were, so the self-check's ladder can be exercised
     * on a correct machine: {@code tail16} corrupts k &gt; 1 convolutions whose input width is past
     * one 16-lane block and not a multiple of it, under the default ISA; {@code isa-default}
     * corrupts every convolution under the default ISA; {@code onednn} every one that oneDNN runs
     * (the ladder ends at ATen's kernels); {@code all} corrupts every one. In-process tests also
     * use {@code count} (count convolutions), {@code nan-once:K} (the K-th convolution from now is
     * NaN, once) and {@code nan-from:K} (every one from the K-th on is NaN).
     */
    public static final class SimulatedFault {
        static final String VARIABLE = "PRUNESWEEP_BACKEND_FAULT";
        private static volatile String mode = normalise(System.getenv(VARIABLE));
        private static final java.util.concurrent.atomic.AtomicLong CALLS =
                new java.util.concurrent.atomic.AtomicLong();

        private SimulatedFault() {}

        static String mode() {
            return mode;
        }

        /** For tests of the check itself, in-process. */
        public static void set(String m) {
            mode = normalise(m);
            CALLS.set(0);
        }

        /**
         * Convolutions run since the mode was set (counted under {@code count} and {@code
         * nan-once:K}).
         */
        public static long calls() {
            return CALLS.get();
        }

        private static String normalise(String m) {
            return m == null ? "" : m.trim().toLowerCase(Locale.ROOT);
        }

        static NDArray apply(NDArray y, long cin, boolean spatial, int groups, BackendSettings s) {
            String m = mode;
            if (m.isEmpty()) {
                return y;
            }
            if (m.equals("count")) {
                CALLS.incrementAndGet();
                return y;
            }
            if (m.startsWith(
                    "nan-from:")) { // a lasting fault: every convolution from the K-th on is NaN
                return CALLS.incrementAndGet() >= Long.parseLong(m.substring("nan-from:".length()))
                        ? y.add(Float.NaN)
                        : y;
            }
            if (m.startsWith(
                    "nan-once:")) { // one transient wrong result: the K-th convolution from now is
                // NaN
                return CALLS.incrementAndGet() == Long.parseLong(m.substring("nan-once:".length()))
                        ? y.add(Float.NaN)
                        : y;
            }
            boolean onDefaultOneDnn = s.onednn() && s.defaultIsa();
            boolean hit =
                    switch (m) {
                        case "tail16" ->
                                onDefaultOneDnn
                                        && s.padTo() == 0
                                        && spatial
                                        && groups == 1
                                        && extra(cin, 16) > 0;
                        case "isa-default" -> onDefaultOneDnn;
                        case "onednn" -> s.onednn();
                        case "all" -> true;
                        default -> false;
                    };
            return hit ? y.add(1.5f) : y;
        }
    }
}
