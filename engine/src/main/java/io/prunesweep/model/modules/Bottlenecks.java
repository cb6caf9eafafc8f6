package io.prunesweep.model.modules;

import ai.djl.ndarray.NDArray;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Wiring;
import io.prunesweep.model.nn.LayerForward;
import java.util.Map;

/**
 * The residual bottleneck and the C3 body shared by C2f, C3, C3k2 and C3k. A bottleneck adds its
 * input when built with a shortcut and its input and output widths agree (ultralytics {@code add =
 * shortcut and c1 == c2}); pruning keeps residual-coupled widths equal, so the rule still holds
 * after pruning.
 */
final class Bottlenecks {
    private Bottlenecks() {}

    /** {@code Bottleneck(c1, c2, shortcut, g, k=(k1, k2), e)} at {@code prefix} ("m.0."). */
    static void define(
            Map<String, ConvSpec> convs, String prefix, int c1, int c2, int k1, int k2, double e) {
        int hidden = (int) (c2 * e);
        convs.put(prefix + "cv1", ConvSpec.conv(c1, hidden, k1, 1));
        convs.put(prefix + "cv2", ConvSpec.conv(hidden, c2, k2, 1));
    }

    static NDArray forward(
            LayerForward f,
            Map<String, ConvSpec> convs,
            String prefix,
            NDArray x,
            boolean shortcut) {
        NDArray y = f.conv(prefix + "cv2", f.conv(prefix + "cv1", x));
        boolean add = shortcut && convs.get(prefix + "cv1").in() == convs.get(prefix + "cv2").out();
        return add ? x.add(y) : y;
    }

    /**
     * Wiring of a bottleneck reading {@code x}: returns the name of its output. A residual add ties
     * {@code x} to cv2's output; a shortcut that does not add (widths differ) freezes both so
     * pruning never makes them equal.
     */
    static String wire(
            Wiring w, Map<String, ConvSpec> convs, String prefix, String x, boolean shortcut) {
        w.conv(prefix + "cv1", x).conv(prefix + "cv2", prefix + "cv1");
        if (!shortcut) {
            return prefix + "cv2";
        }
        if (convs.get(prefix + "cv1").in() == convs.get(prefix + "cv2").out()) {
            w.add(prefix + "add", x, prefix + "cv2");
            return prefix + "add";
        }
        w.freeze(x, "shortcut without add (widths differ)")
                .freeze(prefix + "cv2", "shortcut without add (widths differ)");
        return prefix + "cv2";
    }

    /** Wiring of the C3 body reading {@code x}: returns the name of its output (cv3). */
    static String wireC3(
            Wiring w, Map<String, ConvSpec> convs, String prefix, String x, boolean shortcut) {
        w.conv(prefix + "cv1", x).conv(prefix + "cv2", x);
        String y = prefix + "cv1";
        int n = count(convs, prefix + "m.");
        for (int j = 0; j < n; j++) {
            y = wire(w, convs, prefix + "m." + j + ".", y, shortcut);
        }
        w.conv(prefix + "cv3", y, prefix + "cv2");
        return prefix + "cv3";
    }

    /**
     * Number of consecutive sub-blocks {@code prefix0.}, {@code prefix1.}, ... that have a {@code
     * cv1}.
     */
    static int count(Map<String, ConvSpec> convs, String prefix) {
        int n = 0;
        while (convs.containsKey(prefix + n + ".cv1")) {
            n++;
        }
        return n;
    }

    /**
     * C3 body ({@code C3} and {@code C3k}): {@code cv3(cat(m(cv1(x)), cv2(x)))} with bottlenecks at
     * {@code prefix m.j.}.
     */
    static void defineC3(
            Map<String, ConvSpec> convs,
            String prefix,
            int c1,
            int c2,
            int n,
            double e,
            int k1,
            int k2) {
        int c = (int) (c2 * e);
        convs.put(prefix + "cv1", ConvSpec.conv(c1, c, 1, 1));
        convs.put(prefix + "cv2", ConvSpec.conv(c1, c, 1, 1));
        convs.put(prefix + "cv3", ConvSpec.conv(2 * c, c2, 1, 1));
        for (int j = 0; j < n; j++) {
            define(convs, prefix + "m." + j + ".", c, c, k1, k2, 1.0);
        }
    }

    static NDArray forwardC3(
            LayerForward f,
            Map<String, ConvSpec> convs,
            String prefix,
            NDArray x,
            boolean shortcut) {
        NDArray y = f.conv(prefix + "cv1", x);
        int n = count(convs, prefix + "m.");
        for (int j = 0; j < n; j++) {
            y = forward(f, convs, prefix + "m." + j + ".", y, shortcut);
        }
        return f.conv(
                prefix + "cv3", io.prunesweep.model.nn.Ops.concat(y, f.conv(prefix + "cv2", x)));
    }
}
