package io.prunesweep.report;

/** Size, accuracy and speed of one model as the points table records them; any value may be missing (null). */
public record ModelMetrics(Double params, Double gflops, Double map50, Double map5095, Double fps,
        Double latencyP50Ms) {

    public static final ModelMetrics NONE = new ModelMetrics(null, null, null, null, null, null);
}
