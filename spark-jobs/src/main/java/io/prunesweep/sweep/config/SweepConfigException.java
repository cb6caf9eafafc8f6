package io.prunesweep.sweep.config;

import io.prunesweep.InputException;
import java.util.List;

/** A sweep YAML with problems: every problem found, one line each, all reported at once. */
public class SweepConfigException extends InputException {
    private final List<String> problems;

    public SweepConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
