package io.prunesweep.sweep.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated sweep description (conf/sweeps/*.yaml). Built only by {@link SweepConfigLoader},
 * which checks every field first; the YAML keys are the snake_case forms of these component names.
 * {@code train} holds training hyperparameters by their ultralytics names ({@code lr0: 0.002});
 * unset ones keep ultralytics' defaults.
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
        Spark spark,
        String mode,
        Sensitivity sensitivity,
        Search search) {

    /**
     * {@code mode: grid} (the default): every (seed, lambda, method, ratio) is a point that is
     * finetuned.
     */
    public static final String GRID = "grid";

    /**
     * {@code mode: sensitivity}: prune one channel space at a time, validate, no finetune (see
     * {@link Sensitivity}).
     */
    public static final String SENSITIVITY = "sensitivity";

    public SweepConfig {
        train =
                java.util.Collections.unmodifiableMap(
                        new java.util.TreeMap<>(train == null ? Map.of() : train));
        mode = mode == null ? GRID : mode.strip().toLowerCase(java.util.Locale.ROOT);
        sensitivity =
                sensitivity == null ? new Sensitivity(List.of(0.01), List.of(), 32) : sensitivity;
    }

    public boolean isSensitivity() {
        return SENSITIVITY.equals(mode);
    }

    /**
     * A sensitivity scan's settings: the grid is (every prunable space, or {@code spaces}) x {@code
     * prune.ratios} x {@code prune.methods} on every (seed, lambda) model.
     *
     * @param tolerances mAP50-95 drops (absolute, e.g. 0.01) for which a per-layer plan is written
     * @param spaces the channel spaces to scan (names or layer indices); empty = every prunable
     *     space
     * @param pointsPerTask scan items per Spark task (one child JVM loads the model and val data
     *     once for them)
     */
    public record Sensitivity(List<Double> tolerances, List<String> spaces, int pointsPerTask) {
        public Sensitivity {
            tolerances = tolerances == null ? List.of() : tolerances;
            spaces = spaces == null ? List.of() : spaces;
        }
    }

    /**
     * Adaptive refinement of the grid after its first round ({@code search:}); null when absent.
     *
     * @param mode knee, halving, or null (none)
     * @param tolerance knee: the mAP50-95 drop from dense that still counts as "within"
     * @param rounds the most rounds of added points (knee) or promotions (halving)
     * @param width knee: stop refining a bracket narrower than this
     * @param eta halving: keep the best 1/eta series, give them eta x the epochs
     * @param epochs halving: the short finetune budget of the first round (0 = epochs.finetune /
     *     eta^rounds)
     */
    public record Search(
            String mode, double tolerance, int rounds, double width, int eta, int epochs) {
        public static final String KNEE = "knee";
        public static final String HALVING = "halving";
        public static final String NONE = "none";

        public Search {
            mode = mode == null ? null : mode.strip().toLowerCase(java.util.Locale.ROOT);
            if (NONE.equals(mode) || "".equals(mode)) {
                mode = null; // --set search.mode=none turns a search off
            }
        }
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
     * @param overrides per-layer or per-space ratios ({@code exclude} keeps one whole); empty =
     *     none
     * @param reconstruct the reconstruction axis: {@code [false]} (default), {@code [true]} or
     *     {@code [false, true]} to compare both in one sweep (feature-map reconstruction between
     *     pruning and finetuning)
     */
    public record Prune(
            List<String> methods,
            List<Double> ratios,
            String scope,
            int minChannels,
            int roundTo,
            Map<String, String> overrides,
            List<Boolean> reconstruct) {
        /**
         * Methods and scope as the engine's one parser reads them ({@code L1} is {@code l1}, as for
         * {@code prune}).
         */
        public Prune {
            reconstruct = reconstruct == null ? List.of(false) : reconstruct;
            methods = methods == null ? null : methods.stream().map(Prune::method).toList();
            scope = scope == null ? null : scopeId(scope);
            overrides =
                    java.util.Collections.unmodifiableMap(
                            new java.util.TreeMap<>(overrides == null ? Map.of() : overrides));
        }

        public Prune(
                List<String> methods,
                List<Double> ratios,
                String scope,
                int minChannels,
                int roundTo) {
            this(methods, ratios, scope, minChannels, roundTo, Map.of(), List.of(false));
        }

        public Prune(
                List<String> methods,
                List<Double> ratios,
                String scope,
                int minChannels,
                int roundTo,
                Map<String, String> overrides) {
            this(methods, ratios, scope, minChannels, roundTo, overrides, List.of(false));
        }

        public Prune(
                List<String> methods,
                List<Double> ratios,
                String scope,
                int minChannels,
                int roundTo,
                List<Boolean> reconstruct) {
            this(methods, ratios, scope, minChannels, roundTo, Map.of(), reconstruct);
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
     * @param master Spark master used when spark-submit did not set one
     * @param gpuAmount GPUs per task: 0 = CPU only, 1 = one GPU each, 1/n = n tasks share a GPU
     * @param taskCpus cores per task (spark.task.cpus)
     * @param childHeap -Xmx of the child JVM that runs a stage
     * @param childThreads intra-op threads of the child (0 = task_cpus)
     * @param timeoutMinutes a stage running longer is killed and recorded as failed
     * @param childJavaOptions extra JVM flags for the child (e.g. -DDJL_CACHE_DIR=...)
     * @param conf extra Spark settings; {@code spark.hadoop.*} also reach filesystem checks and
     *     children
     */
    public record Spark(
            String master,
            double gpuAmount,
            int taskCpus,
            String childHeap,
            int childThreads,
            double timeoutMinutes,
            List<String> childJavaOptions,
            Map<String, String> conf) {

        public int effectiveChildThreads() {
            return childThreads > 0 ? childThreads : taskCpus;
        }

        public boolean usesGpus() {
            return gpuAmount > 0;
        }
    }

    /**
     * Hadoop settings from {@code spark.conf} entries {@code spark.hadoop.<key>} (the Spark
     * convention).
     */
    public Map<String, String> hadoopConf() {
        return hadoopSettings(spark.conf());
    }

    /**
     * The {@code spark.hadoop.<key>} entries of Spark settings, as Hadoop {@code <key>} settings.
     */
    public static Map<String, String> hadoopSettings(Map<String, String> sparkSettings) {
        Map<String, String> out = new LinkedHashMap<>();
        sparkSettings.forEach(
                (k, v) -> {
                    if (k.startsWith("spark.hadoop.")) {
                        out.put(k.substring("spark.hadoop.".length()), v);
                    }
                });
        return out;
    }
}
