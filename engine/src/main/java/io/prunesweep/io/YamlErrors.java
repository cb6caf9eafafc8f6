package io.prunesweep.io;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * YAML syntax errors in one line with their place: what is wrong, at which line and column
 * (1-based).
 */
public final class YamlErrors {
    private YamlErrors() {}

    /**
     * {@code "line 3, column 11: expected ',' or ']', but got <stream end>"}, or the first line of
     * the message.
     */
    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                String problem = m.getProblem() == null ? "syntax error" : m.getProblem().strip();
                String context =
                        m.getContext() == null
                                ? ""
                                : " ("
                                        + m.getContext().strip()
                                        + (m.getContextMark() == null
                                                ? ""
                                                : " from " + at(m.getContextMark()))
                                        + ")";
                return at(m.getProblemMark()) + ": " + problem + context;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    && j.getLocation() != null
                    && j.getLocation().getLineNr() > 0) {
                return "line "
                        + j.getLocation().getLineNr()
                        + ", column "
                        + j.getLocation().getColumnNr()
                        + ": "
                        + firstLine(j.getOriginalMessage());
            }
        }
        return firstLine(e.getMessage());
    }

    private static String at(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
