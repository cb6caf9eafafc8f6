package io.prunesweep.pipeline;

import io.prunesweep.data.YoloDataset;
import io.prunesweep.eval.DetectionResult;
import io.prunesweep.eval.LatencyBenchmark;
import io.prunesweep.eval.LatencyStats;
import io.prunesweep.eval.Validator;
import io.prunesweep.io.CheckpointSize;
import io.prunesweep.io.SafeTensors;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.unstructured.MaskedWeights;
import io.prunesweep.train.GammaSummary;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The numbers a stage reports about a model, under {@link MetricKeys} names: size (params, GFLOPs
 * at the stage's image size), accuracy on the val split, latency at batch 1, and the |γ|
 * distribution of the prunable BNs.
 */
final class ModelMeasurements {
    /** Latency runs are short: they compare models timed on the same host in the same process. */
    static final int LATENCY_WARMUP = 3;

    static final int LATENCY_ITERS = 20;

    /**
     * Prefix of the |γ| histogram keys: {@code gamma_hist_0} ... {@code gamma_hist_6}, bins of
     * {@link GammaSummary#EDGES}.
     */
    static final String GAMMA_HIST = "gamma_hist_";

    static final String GAMMA_MEAN_ABS = "gamma_mean_abs";
    static final String GAMMA_FRACTION_BELOW = "gamma_frac_below_1e-2";

    private ModelMeasurements() {}

    /**
     * Dense-format parameters and GFLOPs; the parameters that are not zero (unstructured pruning
     * zeroes conv weights but keeps the shapes); the weights' size as a safetensors file, plain and
     * gzipped.
     */
    static Map<String, Double> size(YoloModel model, int imgsz) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(MetricKeys.PARAMS, (double) model.graph().parameterCount());
        m.put(MetricKeys.GFLOPS, model.graph().gflops(imgsz));
        Map<String, SafeTensors.Tensor> sd = model.stateDict();
        m.put(
                MetricKeys.NONZERO_PARAMS,
                (double) MaskedWeights.nonzeroParameters(model.graph(), sd));
        CheckpointSize bytes = CheckpointSize.of(sd);
        m.put(MetricKeys.CHECKPOINT_BYTES, (double) bytes.bytes());
        m.put(MetricKeys.CHECKPOINT_GZIP_BYTES, (double) bytes.gzipBytes());
        return m;
    }

    static Map<String, Double> accuracy(
            YoloModel model, YoloDataset val, int imgsz, int batch, int workers) {
        DetectionResult r = Validator.evaluate(model, val, imgsz, batch, workers);
        return accuracy(r);
    }

    static Map<String, Double> accuracy(DetectionResult r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(MetricKeys.MAP50, r.map50());
        m.put(MetricKeys.MAP50_95, r.map50to95());
        m.put(MetricKeys.PRECISION, r.precision());
        m.put(MetricKeys.RECALL, r.recall());
        return m;
    }

    static Map<String, Double> latency(YoloModel model, int imgsz) {
        LatencyStats st =
                LatencyBenchmark.djl(
                        model,
                        1,
                        new LatencyBenchmark.Settings(imgsz, LATENCY_WARMUP, LATENCY_ITERS));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(MetricKeys.LATENCY_P50_MS, st.p50Ms());
        m.put(MetricKeys.LATENCY_P95_MS, st.p95Ms());
        m.put(MetricKeys.FPS, st.fps());
        return m;
    }

    /**
     * ONNX Runtime latency at batch 1 of the exported file at {@code onnxUri} (the model's input
     * channels).
     */
    static Map<String, Double> onnxLatency(String onnxUri, YoloModel model, int imgsz) {
        byte[] onnx;
        try (var in = io.prunesweep.io.FileSystems.open(onnxUri)) {
            onnx = in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read back " + onnxUri, e);
        }
        LatencyStats st =
                LatencyBenchmark.onnx(
                        onnx,
                        io.prunesweep.io.onnx.YoloOnnxExporter.INPUT,
                        model.graph().inputChannels(),
                        1,
                        new LatencyBenchmark.Settings(imgsz, LATENCY_WARMUP, LATENCY_ITERS));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(MetricKeys.ORT_LATENCY_P50_MS, st.p50Ms());
        m.put(MetricKeys.ORT_FPS, st.fps());
        return m;
    }

    /** |γ| of the prunable BNs: mean, fraction below 1e-2 and the log-scale histogram counts. */
    static Map<String, Double> gammas(YoloModel model) {
        Set<String> names = PrunableGammas.names(model.graph());
        Map<String, SafeTensors.Tensor> sd = model.stateDict();
        int n = 0;
        for (String k : names) {
            n += sd.get(k).data().length;
        }
        float[] abs = new float[n];
        int i = 0;
        for (String k : names) {
            for (float v : sd.get(k).data()) {
                abs[i++] = Math.abs(v);
            }
        }
        GammaSummary g = GammaSummary.of(abs);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(GAMMA_MEAN_ABS, g.meanAbs());
        m.put(GAMMA_FRACTION_BELOW, g.fractionBelow());
        for (int b = 0; b < g.histogram().length; b++) {
            m.put(GAMMA_HIST + b, (double) g.histogram()[b]);
        }
        return m;
    }

    static Map<String, Double> prefixed(String prefix, Map<String, Double> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(prefix + k, v));
        return out;
    }
}
