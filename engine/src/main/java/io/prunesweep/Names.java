package io.prunesweep;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Named choices given on a command line or in a YAML ({@code --method bn}, {@code prune.scope:
 * local}): one case-insensitive lookup and one way to list the choices in a message or a help text.
 */
public final class Names {
    private Names() {}

    /** The lower-case id of an enum constant ({@code GLOBAL} is {@code global}). */
    public static String id(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The choice whose id equals {@code s} ignoring case; otherwise an {@link InputException}
     * "unknown {@code what} 's': use a, b or c".
     */
    public static <T> T parse(String what, String s, List<T> choices, Function<T, String> id) {
        String wanted = s == null ? "" : s.toLowerCase(Locale.ROOT);
        for (T c : choices) {
            if (id.apply(c).equals(wanted)) {
                return c;
            }
        }
        throw new InputException(
                "unknown " + what + " '" + s + "': use " + list(choices.stream().map(id).toList()));
    }

    /** {@code a, b or c} (or {@code a} alone). */
    public static String list(List<String> ids) {
        if (ids.isEmpty()) {
            return "(none)";
        }
        if (ids.size() == 1) {
            return ids.get(0);
        }
        return String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.get(ids.size() - 1);
    }
}
