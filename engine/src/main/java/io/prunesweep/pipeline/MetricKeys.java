package io.prunesweep.pipeline;

import java.util.List;

/**
 * Names shared by the engine (which produces metrics) and the sweep (which turns them into Parquet
 * columns). Stage metrics are {@code before.<name>} / {@code after.<name>}; epoch rows use the bare
 * names.
 */
public final class MetricKeys {
    private MetricKeys() {}

    /**
     * Times a stage's training replayed a non-finite loss (see Trainer); summed per point in the
     * points table.
     */
    public static final String NAN_RECOVERIES = "train.nan_recoveries";

    public static final String PARAMS = "params";
    public static final String GFLOPS = "gflops";
    public static final String MAP50 = "map50";
    public static final String MAP50_95 = "map50_95";
    public static final String PRECISION = "precision";
    public static final String RECALL = "recall";
    public static final String LATENCY_P50_MS = "latency_p50_ms";
    public static final String LATENCY_P95_MS = "latency_p95_ms";
    public static final String FPS = "fps";

    /**
     * Parameters minus the conv weights that are exactly 0 (unstructured pruning); = params for
     * structured models.
     */
    public static final String NONZERO_PARAMS = "nonzero_params";

    /** Size of the weights as a float32 safetensors file, and gzipped (what zeros save on disk). */
    public static final String CHECKPOINT_BYTES = "checkpoint_bytes";

    public static final String CHECKPOINT_GZIP_BYTES = "checkpoint_gzip_bytes";

    /**
     * ONNX Runtime (CPU) timing of the exported model, batch 1: {@code after.} only, the exported
     * model.
     */
    public static final String ORT_LATENCY_P50_MS = "ort_latency_p50_ms";

    public static final String ORT_FPS = "ort_fps";

    /** Metrics of the exported model that get their own after_ columns in the points table. */
    public static final List<String> EXPORT_METRICS = List.of(ORT_LATENCY_P50_MS, ORT_FPS);

    /** The model metrics that get their own before_/after_ columns in the points table. */
    public static final List<String> MODEL_METRICS =
            List.of(
                    PARAMS,
                    GFLOPS,
                    MAP50,
                    MAP50_95,
                    PRECISION,
                    RECALL,
                    LATENCY_P50_MS,
                    LATENCY_P95_MS,
                    FPS,
                    NONZERO_PARAMS,
                    CHECKPOINT_BYTES,
                    CHECKPOINT_GZIP_BYTES);

    /**
     * Accuracy of the pruned (and, with reconstruction, re-fitted) model before finetuning: {@code
     * after_prune.<name>} in stage metrics, {@code after_prune_<name>} columns in the points table.
     */
    public static final List<String> AFTER_PRUNE_METRICS =
            List.of(MAP50, MAP50_95, PRECISION, RECALL);

    // Well-known per-epoch values (EpochRow.values)
    public static final String BOX_LOSS = "box_loss";
    public static final String CLS_LOSS = "cls_loss";
    public static final String DFL_LOSS = "dfl_loss";
    public static final String LR = "lr";
    public static final String SECONDS = "seconds";

    /**
     * The epoch values that get their own columns in the epochs table; others go to a map column.
     */
    public static final List<String> EPOCH_VALUES =
            List.of(BOX_LOSS, CLS_LOSS, DFL_LOSS, LR, PRECISION, RECALL, MAP50, MAP50_95, SECONDS);

    public static String before(String name) {
        return "before." + name;
    }

    public static String after(String name) {
        return "after." + name;
    }

    public static String afterPrune(String name) {
        return "after_prune." + name;
    }
}
