package io.prunesweep.sweep.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated sweep description (conf/sweeps/*.yaml). Built only by {@link SweepConfigLoader}, which
 * checks every field first; the YAML keys are the snake_case forms of these component names. {@code train} holds
 * training hyperparameters by their ultralytics names ({@code lr0: 0.002}); unset ones keep ultralytics' defaults.
 */
public record SweepConfig(
        Sweep sweep,
        Model model,
        Data data,
        Epochs epochs,
        List<Long> seeds,
        Sparse sparse,
        Prune prune,
        Map<String, String> train,
        String output,
        Spark spark) {

    public SweepConfig {
        train = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(train == null ? Map.of() : train));
    }

    public record Sweep(String id, String name) {}

    /** Architecture YAML + scale, or an initial checkpoint to start from (or both). */
    public record Model(String yaml, String scale, String checkpoint) {}

    /** {@code dataset}: a data.yaml URI, or {@code shapes:...} for the synthetic generator. */
    public record Data(String dataset, int imgsz, int batch) {}

    public record Epochs(int dense, int sparse, int finetune) {}

    /** lambda 0 means "no sparse stage": prune the dense model directly. */
    public record Sparse(List<Double> lambdas) {}

    /**
     * @param reconstruct the reconstruction axis: {@code [false]} (default), {@code [true]} or {@code [false, true]}
     *     to compare both in one sweep (feature-map reconstruction between pruning and finetuning)
     */
    public record Prune(List<String> methods, List<Double> ratios, String scope, int minChannels, int roundTo,
                        List<Boolean> reconstruct) {
        /** Methods and scope as the engine's one parser reads them ({@code L1} is {@code l1}, as for {@code prune}). */
        public Prune {
            reconstruct = reconstruct == null ? List.of(false) : reconstruct;
            methods = methods == null ? null : methods.stream().map(Prune::method).toList();
            scope = scope == null ? null : scopeId(scope);
        }

        public Prune(List<String> methods, List<Double> ratios, String scope, int minChannels, int roundTo) {
            this(methods, ratios, scope, minChannels, roundTo, List.of(false));
        }

        static String method(String m) {
            try {
                return io.prunesweep.prune.Method.parse(m).id();
            } catch (io.prunesweep.InputException unknown) {
                return m; // the validator names it
            }
        }

        static String scopeId(String s) {
            try {
                return io.prunesweep.prune.Scope.parse(s).id();
            } catch (io.prunesweep.InputException unknown) {
                return s;
            }
        }
    }

    /**
     * @param master           Spark master used when spark-submit did not set one
     * @param gpuAmount        GPUs per task: 0 = CPU only, 1 = one GPU each, 1/n = n tasks share a GPU
     * @param taskCpus         cores per task (spark.task.cpus)
     * @param childHeap        -Xmx of the child JVM that runs a stage
     * @param childThreads     intra-op threads of the child (0 = task_cpus)
     * @param timeoutMinutes   a stage running longer is killed and recorded as failed
     * @param childJavaOptions extra JVM flags for the child (e.g. -DDJL_CACHE_DIR=...)
     * @param conf             extra Spark settings; {@code spark.hadoop.*} also reach filesystem checks and children
     */
    public record Spark(String master, double gpuAmount, int taskCpus, String childHeap, int childThreads,
            double timeoutMinutes, List<String> childJavaOptions, Map<String, String> conf) {

        public int effectiveChildThreads() {
            return childThreads > 0 ? childThreads : taskCpus;
        }

        public boolean usesGpus() {
            return gpuAmount > 0;
        }
    }

    /** Hadoop settings from {@code spark.conf} entries {@code spark.hadoop.<key>} (the Spark convention). */
    public Map<String, String> hadoopConf() {
        return hadoopSettings(spark.conf());
    }

    /** The {@code spark.hadoop.<key>} entries of Spark settings, as Hadoop {@code <key>} settings. */
    public static Map<String, String> hadoopSettings(Map<String, String> sparkSettings) {
        Map<String, String> out = new LinkedHashMap<>();
        sparkSettings.forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                out.put(k.substring("spark.hadoop.".length()), v);
            }
        });
        return out;
    }
}
