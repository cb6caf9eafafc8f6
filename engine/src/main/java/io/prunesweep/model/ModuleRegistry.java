package io.prunesweep.model;

import io.prunesweep.model.modules.BottleneckModule;
import io.prunesweep.model.modules.C2fModule;
import io.prunesweep.model.modules.C2psaModule;
import io.prunesweep.model.modules.C3Module;
import io.prunesweep.model.modules.ConcatModule;
import io.prunesweep.model.modules.ConvModule;
import io.prunesweep.model.modules.DetectModule;
import io.prunesweep.model.modules.SppfModule;
import io.prunesweep.model.modules.UpsampleModule;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Module types by YAML name. Built-ins are registered here; user modules are picked up from
 * {@code META-INF/services/io.prunesweep.model.ModuleType} on the classpath or added with {@link #register}.
 */
public final class ModuleRegistry {
    private static final Map<String, ModuleType> TYPES = new ConcurrentHashMap<>();

    static {
        for (ModuleType t : new ModuleType[] {
            new ConvModule(false), new ConvModule(true), new BottleneckModule(), new C2fModule(false),
            new C2fModule(true), new C3Module(false), new C3Module(true), new SppfModule(), new C2psaModule(),
            new ConcatModule(), new UpsampleModule(), new DetectModule()
        }) {
            register(t);
        }
        for (ModuleType t : ServiceLoader.load(ModuleType.class)) {
            register(t);
        }
    }

    private ModuleRegistry() {}

    public static void register(ModuleType type) {
        for (String name : type.names()) {
            TYPES.put(name, type);
        }
    }

    /** The type for a YAML module name, or null. */
    public static ModuleType find(String name) {
        return TYPES.get(name);
    }

    public static ModuleType get(String name) {
        ModuleType t = TYPES.get(name);
        if (t == null) throw new IllegalStateException("module type '" + name + "' is not registered");
        return t;
    }

    public static String knownNames() {
        return String.join(", ", new TreeMap<>(TYPES).keySet());
    }
}
