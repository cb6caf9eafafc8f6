package io.prunesweep.model;

import io.prunesweep.model.modules.AnchorDetectModule;
import io.prunesweep.model.modules.BottleneckModule;
import io.prunesweep.model.modules.C2fCibModule;
import io.prunesweep.model.modules.C2fModule;
import io.prunesweep.model.modules.C2psaModule;
import io.prunesweep.model.modules.C3Module;
import io.prunesweep.model.modules.ConcatModule;
import io.prunesweep.model.modules.ConvModule;
import io.prunesweep.model.modules.DetectModule;
import io.prunesweep.model.modules.McaModule;
import io.prunesweep.model.modules.PsaModule;
import io.prunesweep.model.modules.ScDownModule;
import io.prunesweep.model.modules.SppfModule;
import io.prunesweep.model.modules.UpsampleModule;
import io.prunesweep.model.modules.V10DetectModule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Module types by YAML name, one registry per graph (as Torch-Pruning's customized pruners are per
 * dependency graph): {@link GraphBuilder} builds with one, the {@link ModelGraph} keeps it, and
 * everything that turns a layer into computation, cost, channel wiring or ONNX asks the graph's
 * registry, never a global one.
 *
 * <p>{@link #standard()} holds the built-ins, listed in code below, plus the user modules found on
 * the classpath through {@code META-INF/services/io.prunesweep.model.ModuleType} (a module that
 * must also load in a sweep's stage JVMs and from checkpoints registers that way). {@link #with}
 * gives a registry with more types for one graph (a test's module, a user's experiment) without
 * changing any other graph.
 */
public final class ModuleRegistry {
    private static final class Standard {
        static final ModuleRegistry INSTANCE = build();

        private static ModuleRegistry build() {
            List<ModuleType> types = new ArrayList<>(builtIns());
            for (ModuleType t : ServiceLoader.load(ModuleType.class)) {
                types.add(t);
            }
            return new ModuleRegistry(Map.of()).with(types.toArray(ModuleType[]::new));
        }
    }

    private final Map<String, ModuleType> types;

    private ModuleRegistry(Map<String, ModuleType> types) {
        this.types = Collections.unmodifiableMap(types);
    }

    /**
     * The modules of the YOLOv3/v5u/v8/v10/11 families and MCA, in the order the families
     * introduced them.
     */
    public static List<ModuleType> builtIns() {
        return List.of(
                new ConvModule(false),
                new ConvModule(true),
                new BottleneckModule(),
                new C2fModule(false),
                new C2fModule(true),
                new C3Module(false),
                new C3Module(true),
                new SppfModule(),
                new C2psaModule(),
                new ConcatModule(),
                new UpsampleModule(),
                new DetectModule(),
                new AnchorDetectModule(),
                new ScDownModule(),
                new C2fCibModule(),
                new PsaModule(),
                new V10DetectModule(),
                new McaModule());
    }

    /**
     * Built-ins plus the user modules on the classpath ({@code META-INF/services}); shared, never
     * changes.
     */
    public static ModuleRegistry standard() {
        return Standard.INSTANCE;
    }

    /** This registry plus {@code extra}; a later type takes over a name an earlier one had. */
    public ModuleRegistry with(ModuleType... extra) {
        Map<String, ModuleType> out = new LinkedHashMap<>(types);
        for (ModuleType t : extra) {
            for (String name : t.names()) {
                out.put(name, t);
            }
        }
        return new ModuleRegistry(out);
    }

    /** The type for a YAML module name, or null. */
    public ModuleType find(String name) {
        return types.get(name);
    }

    public ModuleType get(String name) {
        ModuleType t = types.get(name);
        if (t == null) {
            throw new IllegalStateException(
                    "module type '" + name + "' is not registered (known: " + knownNames() + ")");
        }
        return t;
    }

    public String knownNames() {
        return String.join(", ", new TreeSet<>(types.keySet()));
    }

    /**
     * Every registered type once (a type with several names appears once), in registration order.
     */
    public List<ModuleType> types() {
        return List.copyOf(new LinkedHashSet<>(types.values()));
    }
}
