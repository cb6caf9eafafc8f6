package io.prunesweep.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of the model graph: one YAML layer with every internal width explicit, so the same
 * description rebuilds a network whose channels were pruned.
 *
 * @param index position in the network (the {@code N} of {@code model.N.*} parameter names)
 * @param from absolute indices of the input layers ({@code -1} = the image)
 * @param module module type name as in YAML ({@code Conv}, {@code C2f}, ...)
 * @param convs the module's convolutions keyed by their ultralytics sub-path ({@code cv1}, {@code
 *     m.0.cv2}, ...)
 * @param attrs structural settings the forward needs (split sizes, shortcut, heads, ...);
 *     JSON-friendly values
 * @param inChannels channels of each input
 * @param outChannels channels of the output (for Detect, of its first level)
 * @param stride output stride relative to the network input (for Detect, of its first level)
 * @param tensors tensors outside the convs (gate weights, YOLOv5's anchor buffer), by name within
 *     the layer; empty for most modules and absent from checkpoints written before they existed
 */
public record Layer(
        int index,
        int[] from,
        String module,
        Map<String, ConvSpec> convs,
        Map<String, Object> attrs,
        int[] inChannels,
        int outChannels,
        int stride,
        Map<String, TensorSpec> tensors) {

    public Layer {
        convs = Collections.unmodifiableMap(new LinkedHashMap<>(convs));
        attrs = Collections.unmodifiableMap(new LinkedHashMap<>(attrs));
        tensors =
                tensors == null
                        ? Map.of()
                        : Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        from = from.clone();
        inChannels = inChannels.clone();
    }

    /**
     * Equality by value: the int arrays by content, and an attr given as {@code int[]} equals the
     * same numbers as a list (what a layer read back from a checkpoint's JSON holds).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Layer l
                && index == l.index
                && outChannels == l.outChannels
                && stride == l.stride
                && java.util.Arrays.equals(from, l.from)
                && java.util.Arrays.equals(inChannels, l.inChannels)
                && module.equals(l.module)
                && convs.equals(l.convs)
                && normalised(attrs).equals(normalised(l.attrs))
                && tensors.equals(l.tensors);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                index,
                java.util.Arrays.hashCode(from),
                module,
                convs,
                normalised(attrs),
                java.util.Arrays.hashCode(inChannels),
                outChannels,
                stride,
                tensors);
    }

    @Override
    public String toString() {
        return "Layer[index="
                + index
                + ", from="
                + java.util.Arrays.toString(from)
                + ", module="
                + module
                + ", convs="
                + convs
                + ", attrs="
                + normalised(attrs)
                + ", inChannels="
                + java.util.Arrays.toString(inChannels)
                + ", outChannels="
                + outChannels
                + ", stride="
                + stride
                + ", tensors="
                + tensors
                + "]";
    }

    private static Map<String, Object> normalised(Map<String, Object> attrs) {
        Map<String, Object> out = new LinkedHashMap<>();
        attrs.forEach(
                (k, v) ->
                        out.put(
                                k,
                                v instanceof int[] a
                                        ? java.util.Arrays.stream(a).boxed().toList()
                                        : v));
        return out;
    }

    /** A layer made of convs only. */
    public Layer(
            int index,
            int[] from,
            String module,
            Map<String, ConvSpec> convs,
            Map<String, Object> attrs,
            int[] inChannels,
            int outChannels,
            int stride) {
        this(index, from, module, convs, attrs, inChannels, outChannels, stride, Map.of());
    }

    public ConvSpec conv(String path) {
        ConvSpec c = convs.get(path);
        if (c == null) {
            throw new IllegalStateException(
                    "layer " + index + " (" + module + ") has no conv '" + path + "'");
        }
        return c;
    }

    public int intAttr(String key) {
        return ((Number) attrs.get(key)).intValue();
    }

    public boolean boolAttr(String key) {
        Object v = attrs.get(key);
        return v instanceof Boolean b && b;
    }

    @SuppressWarnings("unchecked")
    public int[] intsAttr(String key) {
        Object v = attrs.get(key);
        if (v instanceof int[] a) {
            return a.clone();
        }
        List<Number> list = (List<Number>) v;
        return list.stream().mapToInt(Number::intValue).toArray();
    }

    public long parameterCount() {
        return convs.values().stream().mapToLong(ConvSpec::parameterCount).sum()
                + tensors.values().stream().mapToLong(TensorSpec::parameterCount).sum();
    }

    /** A copy with other convs/attrs/channels (used by pruning); the tensors stay as they are. */
    public Layer with(
            Map<String, ConvSpec> newConvs, Map<String, Object> newAttrs, int[] newIn, int newOut) {
        return new Layer(index, from, module, newConvs, newAttrs, newIn, newOut, stride, tensors);
    }

    /** Parameter-name prefix of a conv: {@code model.N.path.} (ultralytics state-dict naming). */
    public String prefix(String path) {
        return "model." + index + "." + (path.isEmpty() ? "" : path + ".");
    }
}
