package io.prunesweep.prune;

import io.prunesweep.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one list of pruning criteria by name. Every name list, help text and validation of methods
 * (the {@code prune} CLI, {@link PruneConfig#validate}, the sweep's config validator, the report's
 * series styles) reads it, so a criterion registered here is usable everywhere in this JVM:
 *
 * <pre>{@code
 * ImportanceRegistry.register("taylor", "first-order Taylor score |gamma * grad|", new TaylorImportance());
 * }</pre>
 *
 * The built-ins ({@link Method#BUILT_IN}) come first, in that order; later registrations follow in
 * registration order. A sweep's stage JVMs are fresh processes: a criterion used in a sweep must be
 * registered in them too (for example from the static initialiser of a class the stage loads).
 */
public final class ImportanceRegistry {
    private static final List<Method> METHODS = new CopyOnWriteArrayList<>(Method.BUILT_IN);

    private ImportanceRegistry() {}

    /**
     * Registers a criterion under {@code id}; returns its {@link Method}. A name can be registered
     * once.
     */
    public static Method register(String id, String summary, Importance importance) {
        return register(new Method(id, summary, importance));
    }

    public static synchronized Method register(Method method) {
        for (Method m : METHODS) {
            if (m.id().equals(method.id())) {
                if (m.equals(method)) {
                    return m;
                }
                throw new IllegalArgumentException(
                        "pruning method '" + method.id() + "' is already registered");
            }
        }
        METHODS.add(method);
        return method;
    }

    /**
     * The method named {@code id} (any case); otherwise an InputException listing the registered
     * names.
     */
    public static Method find(String id) {
        return Names.parse("pruning method", id, methods(), Method::id);
    }

    /** Every registered method: the built-ins first, then the others in registration order. */
    public static List<Method> methods() {
        return List.copyOf(METHODS);
    }

    public static List<String> ids() {
        return methods().stream().map(Method::id).toList();
    }

    /** {@code bn, l1, l2 or random}: the names for a message. */
    public static String choices() {
        return Names.list(ids());
    }

    /** One line per method, {@code " bn |gamma| of ..."}, for a help text. */
    public static List<String> summaries() {
        List<Method> all = methods();
        int width = all.stream().mapToInt(m -> m.id().length()).max().orElse(0);
        List<String> out = new ArrayList<>();
        for (Method m : all) {
            out.add("  " + m.id() + " ".repeat(width + 2 - m.id().length()) + m.summary());
        }
        return out;
    }
}
