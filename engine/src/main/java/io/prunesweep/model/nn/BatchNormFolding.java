package io.prunesweep.model.nn;

/**
 * Folds an inference-mode BatchNorm into the convolution before it: for ONNX export and for fused
 * DJL inference ({@link io.prunesweep.model.YoloModel#fused}), so both compute with the same folded
 * weights.
 *
 * <p>Export decision: BN is never written to ONNX as a BatchNormalization node. Each Conv→BN pair
 * is folded on the host, per output channel c, with s = gamma[c] / sqrt(var[c] + eps):
 *
 * <pre>
 *   w'[c, ...] = w[c, ...] * s
 *   b'[c]      = beta[c] - mean[c] * s            (conv without bias, as in ultralytics' Conv)
 *   b'[c]      = beta[c] + (b[c] - mean[c]) * s   (conv with bias)
 * </pre>
 *
 * and the exported Conv carries w' and b'. This is what ultralytics does before its own export
 * ({@code fuse_conv_and_bn}), so the graphs match op for op; eps is the BN's own (1e-3 in
 * ultralytics models, not PyTorch's default 1e-5). Arithmetic is done in double and rounded once to
 * float.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {}

    /** Folded conv parameters: weight in the input's layout [outC, ...], bias [outC]. */
    public record Folded(float[] weight, float[] bias) {}

    /**
     * Folds BN into a conv without bias; {@code w} is [outC, inC/group, kH, kW] flattened
     * row-major.
     */
    public static Folded fold(
            float[] w,
            int outC,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] var,
            float eps) {
        return fold(w, null, outC, gamma, beta, mean, var, eps);
    }

    /** Folds BN into a conv with optional bias ({@code convBias} null for none). */
    public static Folded fold(
            float[] w,
            float[] convBias,
            int outC,
            float[] gamma,
            float[] beta,
            float[] mean,
            float[] var,
            float eps) {
        if (outC <= 0 || w.length % outC != 0) {
            throw new IllegalArgumentException(
                    "conv weight of " + w.length + " values is not " + outC + " output channels");
        }
        for (float[] p : new float[][] {gamma, beta, mean, var}) {
            if (p.length != outC) {
                throw new IllegalArgumentException(
                        "BatchNorm parameter has " + p.length + " channels, conv has " + outC);
            }
        }
        if (convBias != null && convBias.length != outC) {
            throw new IllegalArgumentException(
                    "conv bias has " + convBias.length + " channels, conv has " + outC);
        }
        int perChannel = w.length / outC;
        float[] weight = new float[w.length];
        float[] bias = new float[outC];
        for (int c = 0; c < outC; c++) {
            double s = gamma[c] / Math.sqrt((double) var[c] + eps);
            for (int k = c * perChannel; k < (c + 1) * perChannel; k++) {
                weight[k] = (float) (w[k] * s);
            }
            double b = convBias == null ? 0 : convBias[c];
            bias[c] = (float) (beta[c] + (b - mean[c]) * s);
        }
        return new Folded(weight, bias);
    }
}
