package io.prunesweep.report;

import java.util.function.Function;

/** A cost or speed measure that mAP50-95 is traded against, and which direction of it is better. */
public enum Axis {
    PARAMS("parameters", "params", true, m -> m.params()),
    GFLOPS("GFLOPs", "gflops", true, m -> m.gflops()),
    FPS("frames per second", "fps", false, m -> m.fps());

    private final String label;
    private final String id;
    private final boolean lowerIsBetter;
    private final Function<ModelMetrics, Double> value;

    Axis(String label, String id, boolean lowerIsBetter, Function<ModelMetrics, Double> value) {
        this.label = label;
        this.id = id;
        this.lowerIsBetter = lowerIsBetter;
        this.value = value;
    }

    public String label() {
        return label;
    }

    /** Used in chart file names. */
    public String id() {
        return id;
    }

    public boolean lowerIsBetter() {
        return lowerIsBetter;
    }

    /** The measure of a model, or null when missing or not a finite number. */
    public Double of(ModelMetrics m) {
        Double v = value.apply(m);
        return v == null || v.isNaN() || v.isInfinite() ? null : v;
    }
}
