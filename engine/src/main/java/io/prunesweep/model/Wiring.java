package io.prunesweep.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How one layer routes channels, declared by its {@link ModuleType#wiring module type}: which named
 * channel vectors ("tensors") each conv reads and writes, where they are concatenated, added
 * (residual), passed through or must stay fixed. {@code graph.ChannelSpaces} turns the declarations
 * of all layers into coupled channel spaces (the model declares, the graph package interprets: the
 * dependency points from graph to model). See {@code graph/README.md} for a module author's guide.
 *
 * <p>Names: {@code in0}, {@code in1}, ... are the layer's inputs (in {@code from} order); every
 * declared conv names its output by its path ({@code cv1}, {@code m.0.cv2}, {@code ""} for a plain
 * Conv layer); parts of a split conv output are {@code path[0]}, {@code path[1]}, ...; anything
 * else is a name the module chose for an internal tensor. Declarations are read in order, so a name
 * must be declared before it is used.
 */
public final class Wiring {

    /** One declaration; interpreted by {@code graph.ChannelSpaces}. */
    public sealed interface Decl
            permits ConvDecl,
                    ConcatDecl,
                    AddDecl,
                    FixedDecl,
                    FreezeDecl,
                    SameWidthDecl,
                    OutputDecl {}

    public record ConvDecl(String path, String splitAttr, List<String> inputs) implements Decl {}

    public record ConcatDecl(String name, List<String> parts) implements Decl {}

    public record AddDecl(String name, String a, String b) implements Decl {}

    public record FixedDecl(String name, int width) implements Decl {}

    public record FreezeDecl(String name, String why) implements Decl {}

    public record SameWidthDecl(String a, String b) implements Decl {}

    public record OutputDecl(List<String> parts) implements Decl {}

    private final Layer layer;
    private final List<Decl> decls = new ArrayList<>();

    private Wiring(Layer layer) {
        this.layer = layer;
    }

    /** Starts the wiring of {@code layer}. */
    public static Wiring of(Layer layer) {
        return new Wiring(layer);
    }

    /** Name of the layer's {@code i}-th input ({@code in0} ...). */
    public static String in(int i) {
        return "in" + i;
    }

    public Layer layer() {
        return layer;
    }

    /** The declarations in order (read by the graph package). */
    public List<Decl> decls() {
        return Collections.unmodifiableList(decls);
    }

    /**
     * Conv {@code path} reads the concatenation of {@code inputs}; its output is named {@code
     * path}. A depthwise conv's output channels are its input channels (same space); a grouped conv
     * keeps all its channels.
     */
    public Wiring conv(String path, String... inputs) {
        decls.add(new ConvDecl(path, null, List.of(inputs)));
        return this;
    }

    /**
     * Like {@link #conv}, but the conv's output is split into consecutive parts whose sizes are the
     * int list {@code attr} of the layer (e.g. C2f's {@code split}); the parts are named {@code
     * path[0]}, {@code path[1]}, ... and may be pruned independently; pruning writes their new
     * sizes back into {@code attr}.
     */
    public Wiring splitConv(String path, String attr, String... inputs) {
        decls.add(new ConvDecl(path, attr, List.of(inputs)));
        return this;
    }

    /** {@code name} is the channel concatenation of {@code parts} (in order). */
    public Wiring concat(String name, String... parts) {
        decls.add(new ConcatDecl(name, List.of(parts)));
        return this;
    }

    /**
     * Residual add: {@code name = a + b}; channel i of {@code a} and of {@code b} are kept or
     * removed together.
     */
    public Wiring add(String name, String a, String b) {
        decls.add(new AddDecl(name, a, b));
        return this;
    }

    /**
     * A new internal tensor of {@code width} channels that pruning must not change (e.g. attention
     * values).
     */
    public Wiring fixed(String name, int width) {
        decls.add(new FixedDecl(name, width));
        return this;
    }

    /**
     * The channels of {@code name} (and everything coupled to them) are kept; {@code why} shows in
     * reports.
     */
    public Wiring freeze(String name, String why) {
        decls.add(new FreezeDecl(name, why));
        return this;
    }

    /**
     * {@code a} and {@code b} keep the same number of channels when the pruner's split parity is on
     * (C2f's halves, so that ultralytics' {@code chunk(2)} still fits). Their channels are
     * otherwise chosen independently.
     */
    public Wiring sameWidth(String a, String b) {
        decls.add(new SameWidthDecl(a, b));
        return this;
    }

    /**
     * The layer's output is the concatenation of {@code parts} (usually one name). Declare it last.
     */
    public Wiring output(String... parts) {
        decls.add(new OutputDecl(List.of(parts)));
        return this;
    }
}
