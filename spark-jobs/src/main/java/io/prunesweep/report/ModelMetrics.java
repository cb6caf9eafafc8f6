package io.prunesweep.report;

/**
 * Size, accuracy and speed of one model as the points table records them; any value may be missing
 * (null). {@code nonzeroParams} is the parameters that are not zero (unstructured pruning keeps the
 * dense count in {@code params}).
 */
public record ModelMetrics(
        Double params,
        Double gflops,
        Double map50,
        Double map5095,
        Double fps,
        Double latencyP50Ms,
        Double nonzeroParams) {

    public static final ModelMetrics NONE =
            new ModelMetrics(null, null, null, null, null, null, null);

    public ModelMetrics(
            Double params,
            Double gflops,
            Double map50,
            Double map5095,
            Double fps,
            Double latencyP50Ms) {
        this(params, gflops, map50, map5095, fps, latencyP50Ms, null);
    }

    /**
     * Nonzero parameters; a table without the column (older sweeps, structured points) counts every
     * parameter.
     */
    public Double nonzeroOrParams() {
        return nonzeroParams != null ? nonzeroParams : params;
    }
}
