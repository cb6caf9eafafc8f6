package io.prunesweep.prune.reconstruct;

import ai.djl.ndarray.NDArray;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.YoloModel;

/**
 * One conv's weights (and bias or BN running mean) on the host, converted to and from least-squares
 * rows.
 */
final class ConvWeights {
    private final Layer layer;
    private final String path;
    private final ConvSpec spec;
    private final float[] weight;
    private final float[]
            offset; // the conv's bias (plain conv) or 0 (BN conv: the intercept moves the running

    // mean)

    private ConvWeights(Layer layer, String path, ConvSpec spec, float[] weight, float[] offset) {
        this.layer = layer;
        this.path = path;
        this.spec = spec;
        this.weight = weight;
        this.offset = offset;
    }

    static ConvWeights read(YoloModel model, Layer layer, String path) {
        ConvSpec spec = layer.conv(path);
        float[] w = array(model, weightName(layer, path, spec)).toFloatArray();
        float[] off =
                spec.bias()
                        ? array(model, layer.prefix(path) + "bias").toFloatArray()
                        : new float[spec.out()];
        return new ConvWeights(layer, path, spec, w, off);
    }

    /**
     * {@code [d, out]} row-major: row j is input element j of every filter, the last row the
     * intercept.
     */
    double[] asRows(boolean intercept) {
        int out = spec.out();
        int per = weight.length / out;
        int d = per + (intercept ? 1 : 0);
        double[] rows = new double[d * out];
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < per; j++) {
                rows[j * out + o] = weight[o * per + j];
            }
            if (intercept) {
                rows[per * out + o] = offset[o];
            }
        }
        return rows;
    }

    /**
     * Writes a solution back: filters, and the intercept into the bias or (minus) into the BN
     * running mean.
     */
    void write(YoloModel model, double[] rows, boolean intercept) {
        int out = spec.out();
        int per = weight.length / out;
        float[] w = new float[weight.length];
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < per; j++) {
                w[o * per + j] = (float) rows[j * out + o];
            }
        }
        array(model, weightName(layer, path, spec)).set(w);
        if (!intercept) {
            return;
        }
        float[] b = new float[out];
        for (int o = 0; o < out; o++) {
            b[o] = (float) rows[per * out + o];
        }
        if (spec.bias()) {
            array(model, layer.prefix(path) + "bias").set(b);
        } else {
            // BN(z + b) with running mean μ equals BN(z) with running mean μ − b (inference mode)
            NDArray mean = array(model, layer.prefix(path) + "bn.running_mean");
            float[] mu = mean.toFloatArray();
            for (int o = 0; o < out; o++) {
                mu[o] -= b[o];
            }
            mean.set(mu);
        }
    }

    private static String weightName(Layer layer, String path, ConvSpec spec) {
        return layer.prefix(path) + (spec.bn() ? "conv.weight" : "weight");
    }

    private static NDArray array(YoloModel model, String name) {
        var p = model.network().parameters().get(name);
        if (p == null) {
            throw new IllegalStateException("model has no parameter " + name);
        }
        return p.getArray();
    }
}
