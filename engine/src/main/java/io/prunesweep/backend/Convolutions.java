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
        // the model's (one copy per forward, never freed), so everything padded goes to the input's
        // (the batch's) scope
        NDManager scope = x.getManager();
        if (padIn > 0) {
            x = zeroPadded(x, 1, padIn, scope);
            weight = zeroPadded(weight, 1, padIn, scope);
        }
        if (padOut > 0) {
            weight = zeroPadded(weight, 0, padOut, scope);
            if (bias != null) {
                bias = zeroPadded(bias, 0, padOut, scope);
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
     * {@code a} with {@code extra} zero slices appended along {@code axis}, held by {@code scope}.
     */
    private static NDArray zeroPadded(NDArray a, int axis, long extra, NDManager scope) {
        long[] shape = a.getShape().getShape().clone();
        shape[axis] = extra;
        NDArray padded =
                NDArrays.concat(
                        new NDList(
                                a, scope.zeros(new Shape(shape), a.getDataType(), a.getDevice())),
                        axis);
        padded.attach(scope);
        return padded;
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
