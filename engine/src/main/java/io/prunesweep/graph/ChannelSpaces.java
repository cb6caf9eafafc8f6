package io.prunesweep.graph;

import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.ModuleType;
import io.prunesweep.model.Wiring;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The channel-dependency view of a {@link ModelGraph}: its channel <em>spaces</em>, each a vector
 * of channels that must be kept or removed together wherever it appears (a conv's output, the
 * inputs of its consumers, both sides of a residual add, the range it occupies in a concat, a
 * depthwise conv's input and output). Built generically from every layer's {@link Wiring}; a layer
 * whose module declares none is opaque: its channels and the spaces at its boundary are kept.
 *
 * <p>A space is prunable when nothing froze it (image, a conv without BatchNorm, a grouped conv, a
 * module's explicit freeze) and it has a BatchNorm'd producer; its producers are the convs (and
 * depthwise convs) whose output channels {@code [offset, offset + width)} are this space.
 */
public final class ChannelSpaces {

    /**
     * Channels {@code [offset, offset + width)} of conv {@code convPath}'s output in layer {@code
     * layer} are the space.
     */
    public record Producer(int layer, String convPath, int offset, boolean bn, boolean depthwise) {}

    /**
     * @param name the earliest producer, {@code layer.path} ({@code 4.cv1[1]}; a plain Conv layer
     *     is just {@code 4}; {@code @k} marks a piece starting at channel k of a refined output)
     * @param ownerLayer the layer of that producer (per-layer overrides apply to the spaces a layer
     *     owns)
     * @param frozenBy why it is kept whole, or null when prunable
     */
    public record Space(
            int id,
            String name,
            int width,
            int ownerLayer,
            boolean prunable,
            String frozenBy,
            List<Producer> producers) {}

    /** Space ids whose concatenation is a conv's input and output. */
    public record ConvChannels(int[] in, int[] out) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ConvChannels c
                    && Arrays.equals(in, c.in)
                    && Arrays.equals(out, c.out);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(in) + Arrays.hashCode(out);
        }

        @Override
        public String toString() {
            return "ConvChannels[in=" + Arrays.toString(in) + ", out=" + Arrays.toString(out) + "]";
        }
    }

    /**
     * Per layer: its inputs' and output's spaces, its convs' spaces and, per split attribute, the
     * spaces of each part. An opaque layer has no convs here (they stay as they are).
     */
    public record LayerChannels(
            int layer,
            boolean opaque,
            List<int[]> inputs,
            int[] output,
            Map<String, ConvChannels> convs,
            Map<String, List<int[]>> splits) {
        /** By value: the space-id arrays by content. */
        @Override
        public boolean equals(Object o) {
            return o instanceof LayerChannels l
                    && layer == l.layer
                    && opaque == l.opaque
                    && Arrays.equals(output, l.output)
                    && lists(inputs).equals(lists(l.inputs))
                    && convs.equals(l.convs)
                    && splitLists(splits).equals(splitLists(l.splits));
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(
                    layer,
                    opaque,
                    lists(inputs),
                    Arrays.hashCode(output),
                    convs,
                    splitLists(splits));
        }

        private static List<List<Integer>> lists(List<int[]> arrays) {
            return arrays.stream().map(a -> Arrays.stream(a).boxed().toList()).toList();
        }

        private static Map<String, List<List<Integer>>> splitLists(Map<String, List<int[]>> m) {
            Map<String, List<List<Integer>>> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, lists(v)));
            return out;
        }
    }

    private final ModelGraph graph;
    private final List<Space> spaces;
    private final List<LayerChannels> layers;
    private final List<int[]> parity;
    private final List<String> notes;

    private ChannelSpaces(
            ModelGraph graph,
            List<Space> spaces,
            List<LayerChannels> layers,
            List<int[]> parity,
            List<String> notes) {
        this.graph = graph;
        this.spaces = List.copyOf(spaces);
        this.layers = List.copyOf(layers);
        this.parity = List.copyOf(parity);
        this.notes = List.copyOf(notes);
    }

    public ModelGraph graph() {
        return graph;
    }

    public List<Space> spaces() {
        return spaces;
    }

    public Space space(int id) {
        return spaces.get(id);
    }

    public List<LayerChannels> layers() {
        return layers;
    }

    /** Pairs of spaces that keep equal widths under split parity (C2f/C3k2 halves). */
    public List<int[]> parityPairs() {
        return parity;
    }

    /** Layers that had to be treated as opaque, and why. */
    public List<String> notes() {
        return notes;
    }

    public int width(int[] spaceIds) {
        int w = 0;
        for (int s : spaceIds) {
            w += spaces.get(s).width();
        }
        return w;
    }

    public List<Space> prunable() {
        return spaces.stream().filter(Space::prunable).toList();
    }

    public Space byName(String name) {
        for (Space s : spaces) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Derives the spaces of a graph. */
    public static ChannelSpaces of(ModelGraph graph) {
        return new Analysis(graph).run();
    }

    /** Interprets the wiring of each layer in order. */
    private static final class Analysis {
        private final ModelGraph graph;
        private final SpaceUnion u = new SpaceUnion();
        private final List<List<Integer>> outputs = new ArrayList<>();
        private final List<RawLayer> raw = new ArrayList<>();
        private final List<List<Integer>[]> parityRaw = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        private record RawConv(String path, List<Integer> in, List<Integer> out, ConvSpec spec) {}

        private record RawLayer(
                Layer layer,
                boolean opaque,
                List<List<Integer>> inputs,
                List<Integer> output,
                List<RawConv> convs,
                Map<String, List<List<Integer>>> splits) {}

        private static final class WiringError extends RuntimeException {
            WiringError(String m) {
                super(m);
            }
        }

        Analysis(ModelGraph graph) {
            this.graph = graph;
        }

        ChannelSpaces run() {
            List<Integer> image =
                    List.of(u.fresh(graph.inputChannels(), -1, "image", "the input image"));
            for (Layer layer : graph.layers()) {
                List<List<Integer>> inputs = new ArrayList<>();
                for (int f : layer.from()) {
                    inputs.add(f < 0 ? image : outputs.get(f));
                }
                RawLayer r = null;
                ModuleType type = graph.modules().find(layer.module());
                Wiring w = null;
                String why = "module " + layer.module() + " declares no channel wiring";
                try {
                    w = type == null ? null : type.wiring(layer);
                } catch (RuntimeException e) {
                    why = "wiring of " + layer.module() + " failed: " + e.getMessage();
                }
                if (w != null) {
                    try {
                        r = interpret(layer, w, inputs);
                    } catch (WiringError
                            | IllegalArgumentException
                            | IllegalStateException
                            | ClassCastException e) {
                        why = "wiring of " + layer.module() + " is inconsistent: " + e.getMessage();
                    }
                }
                if (r == null) {
                    notes.add(
                            "layer "
                                    + layer.index()
                                    + " ("
                                    + layer.module()
                                    + ") kept whole: "
                                    + why);
                    r = opaque(layer, inputs, why);
                }
                raw.add(r);
                outputs.add(r.output());
            }
            return finish();
        }

        private RawLayer opaque(Layer layer, List<List<Integer>> inputs, String why) {
            for (List<Integer> in : inputs) {
                u.freeze(in, "input of layer " + layer.index() + ": " + why);
            }
            List<Integer> out =
                    List.of(
                            u.fresh(
                                    layer.outChannels(),
                                    layer.index(),
                                    String.valueOf(layer.index()),
                                    "output of layer " + layer.index() + ": " + why));
            return new RawLayer(layer, true, inputs, out, List.of(), Map.of());
        }

        private RawLayer interpret(Layer layer, Wiring w, List<List<Integer>> inputs) {
            Map<String, List<Integer>> names = new HashMap<>();
            for (int i = 0; i < inputs.size(); i++) {
                names.put(Wiring.in(i), inputs.get(i));
            }
            List<RawConv> convs = new ArrayList<>();
            Map<String, List<List<Integer>>> splits = new LinkedHashMap<>();
            List<List<Integer>[]> pairs = new ArrayList<>();
            List<Integer> output = null;
            String at = String.valueOf(layer.index());
            for (Wiring.Decl d : w.decls()) {
                if (d instanceof Wiring.ConvDecl c) {
                    wireConv(layer, c, names, convs, splits);
                } else if (d instanceof Wiring.ConcatDecl c) {
                    define(names, c.name(), cat(names, c.parts()));
                } else if (d instanceof Wiring.AddDecl a) {
                    List<Integer> x = get(names, a.a());
                    List<Integer> y = get(names, a.b());
                    if (u.width(x) != u.width(y)) {
                        throw new WiringError(
                                "add '"
                                        + a.name()
                                        + "' of "
                                        + u.width(x)
                                        + " and "
                                        + u.width(y)
                                        + " channels");
                    }
                    u.tie(x, y);
                    define(names, a.name(), x);
                } else if (d instanceof Wiring.FixedDecl f) {
                    define(
                            names,
                            f.name(),
                            List.of(
                                    u.fresh(
                                            f.width(),
                                            layer.index(),
                                            layer.index() + "." + f.name(),
                                            "fixed " + at + "." + f.name())));
                } else if (d instanceof Wiring.FreezeDecl f) {
                    u.freeze(get(names, f.name()), f.why() + " (layer " + at + ")");
                } else if (d instanceof Wiring.SameWidthDecl s) {
                    @SuppressWarnings("unchecked")
                    List<Integer>[] p = new List[] {get(names, s.a()), get(names, s.b())};
                    pairs.add(p);
                } else if (d instanceof Wiring.OutputDecl o) {
                    output = cat(names, o.parts());
                }
            }
            if (output == null) {
                throw new WiringError("no output declared");
            }
            if (u.width(output) != layer.outChannels()) {
                throw new WiringError(
                        "output has "
                                + u.width(output)
                                + " channels, layer has "
                                + layer.outChannels());
            }
            if (convs.size() != layer.convs().size()) {
                List<String> missing = new ArrayList<>(layer.convs().keySet());
                convs.forEach(c -> missing.remove(c.path()));
                throw new WiringError("convs not wired: " + missing);
            }
            parityRaw.addAll(pairs);
            return new RawLayer(layer, false, inputs, output, convs, splits);
        }

        /**
         * A conv's output: a fresh space (or one per split part), or its input for a depthwise
         * conv.
         */
        private void wireConv(
                Layer layer,
                Wiring.ConvDecl c,
                Map<String, List<Integer>> names,
                List<RawConv> convs,
                Map<String, List<List<Integer>>> splits) {
            ConvSpec spec = layer.convs().get(c.path());
            if (spec == null) {
                throw new WiringError("no conv '" + c.path() + "'");
            }
            if (names.containsKey(c.path())) {
                throw new WiringError("conv '" + c.path() + "' declared twice");
            }
            List<Integer> in = cat(names, c.inputs());
            if (u.width(in) != spec.in()) {
                throw new WiringError(
                        "conv '"
                                + c.path()
                                + "' reads "
                                + u.width(in)
                                + " channels, has "
                                + spec.in());
            }
            String leafName = layer.index() + (c.path().isEmpty() ? "" : "." + c.path());
            List<Integer> out;
            if (spec.depthwise()) {
                out = in; // one filter per channel: output channel i is input channel i
                if (!spec.bn()) {
                    u.freeze(in, "depthwise conv without BatchNorm " + leafName);
                }
            } else if (spec.groups() > 1) {
                u.freeze(in, "grouped conv " + leafName);
                out =
                        List.of(
                                u.fresh(
                                        spec.out(),
                                        layer.index(),
                                        leafName,
                                        "grouped conv " + leafName));
            } else {
                String frozen = spec.bn() ? null : "conv without BatchNorm " + leafName;
                if (c.splitAttr() != null) {
                    int[] sizes = layer.intsAttr(c.splitAttr());
                    if (Arrays.stream(sizes).sum() != spec.out()) {
                        throw new WiringError(
                                "split '"
                                        + c.splitAttr()
                                        + "' "
                                        + Arrays.toString(sizes)
                                        + " does not add up to conv '"
                                        + c.path()
                                        + "' output "
                                        + spec.out());
                    }
                    out = new ArrayList<>();
                    List<List<Integer>> parts = new ArrayList<>();
                    for (int k = 0; k < sizes.length; k++) {
                        List<Integer> part =
                                List.of(
                                        u.fresh(
                                                sizes[k],
                                                layer.index(),
                                                leafName + "[" + k + "]",
                                                frozen));
                        names.put(c.path() + "[" + k + "]", part);
                        parts.add(part);
                        out.addAll(part);
                    }
                    splits.put(c.splitAttr(), parts);
                } else {
                    out = List.of(u.fresh(spec.out(), layer.index(), leafName, frozen));
                }
            }
            names.put(c.path(), out);
            convs.add(new RawConv(c.path(), in, out, spec));
        }

        private static void define(Map<String, List<Integer>> names, String name, List<Integer> t) {
            if (names.containsKey(name)) {
                throw new WiringError("name '" + name + "' declared twice");
            }
            names.put(name, t);
        }

        private static List<Integer> get(Map<String, List<Integer>> names, String name) {
            List<Integer> t = names.get(name);
            if (t == null) {
                throw new WiringError("'" + name + "' used before it is declared");
            }
            return t;
        }

        private static List<Integer> cat(Map<String, List<Integer>> names, List<String> parts) {
            List<Integer> t = new ArrayList<>();
            for (String p : parts) {
                t.addAll(get(names, p));
            }
            return t;
        }

        private ChannelSpaces finish() {
            // compact ids for the final classes, in order of their earliest leaf (graph order)
            int[] spaceOfRoot = new int[u.size()];
            Arrays.fill(spaceOfRoot, -1);
            List<Integer> firstLeaf = new ArrayList<>();
            List<String> frozen = new ArrayList<>();
            for (int x = 0; x < u.size(); x++) {
                if (!u.isLeaf(x)) {
                    continue;
                }
                int r = u.find(x);
                if (spaceOfRoot[r] < 0) {
                    spaceOfRoot[r] = firstLeaf.size();
                    firstLeaf.add(x);
                    frozen.add(null);
                }
                int s = spaceOfRoot[r];
                if (frozen.get(s) == null && u.frozenBy(x) != null) {
                    frozen.set(s, u.frozenBy(x));
                }
            }
            List<List<Producer>> producers = new ArrayList<>();
            for (int i = 0; i < firstLeaf.size(); i++) {
                producers.add(new ArrayList<>());
            }

            List<LayerChannels> layers = new ArrayList<>();
            for (RawLayer r : raw) {
                List<int[]> ins = new ArrayList<>();
                for (List<Integer> in : r.inputs()) {
                    ins.add(ids(in, spaceOfRoot));
                }
                Map<String, ConvChannels> convs = new LinkedHashMap<>();
                for (RawConv c : r.convs()) {
                    convs.put(
                            c.path(),
                            new ConvChannels(ids(c.in(), spaceOfRoot), ids(c.out(), spaceOfRoot)));
                    int offset = 0;
                    for (int leaf : u.resolve(c.out())) {
                        producers
                                .get(spaceOfRoot[u.find(leaf)])
                                .add(
                                        new Producer(
                                                r.layer().index(),
                                                c.path(),
                                                offset,
                                                c.spec().bn(),
                                                c.spec().depthwise()));
                        offset += u.width(leaf);
                    }
                }
                Map<String, List<int[]>> splits = new LinkedHashMap<>();
                r.splits()
                        .forEach(
                                (k, parts) ->
                                        splits.put(
                                                k,
                                                parts.stream()
                                                        .map(p -> ids(p, spaceOfRoot))
                                                        .toList()));
                layers.add(
                        new LayerChannels(
                                r.layer().index(),
                                r.opaque(),
                                ins,
                                ids(r.output(), spaceOfRoot),
                                convs,
                                splits));
            }
            List<Space> spaces = new ArrayList<>();
            for (int s = 0; s < firstLeaf.size(); s++) {
                int leaf = firstLeaf.get(s);
                List<Producer> ps = Collections.unmodifiableList(producers.get(s));
                boolean hasBn = ps.stream().anyMatch(Producer::bn);
                String fz = frozen.get(s);
                if (fz == null && !hasBn) {
                    fz = "no BatchNorm'd producer";
                }
                spaces.add(
                        new Space(
                                s,
                                u.name(leaf),
                                u.width(leaf),
                                u.layerOf(leaf),
                                fz == null,
                                fz,
                                ps));
            }
            List<int[]> parity = new ArrayList<>();
            for (List<Integer>[] p : parityRaw) {
                int[] a = ids(p[0], spaceOfRoot);
                int[] b = ids(p[1], spaceOfRoot);
                if (a.length == 1 && b.length == 1 && a[0] != b[0]) {
                    parity.add(new int[] {a[0], b[0]});
                }
            }
            return new ChannelSpaces(graph, spaces, layers, parity, notes);
        }

        private int[] ids(List<Integer> tensor, int[] spaceOfRoot) {
            List<Integer> leaves = u.resolve(tensor);
            int[] out = new int[leaves.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = spaceOfRoot[u.find(leaves.get(i))];
            }
            return out;
        }
    }
}
