package io.prunesweep.sweep.config;

import io.prunesweep.io.StorageProbe;
import io.prunesweep.pipeline.StageFiles;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Checks the values of a bound sweep: ranges, names, and that the input files exist. */
final class SweepConfigValidator {
    static final Set<String> SCALES = Set.of("n", "s", "m", "l", "x");

    /**
     * A dataset spec with this scheme is the engine's synthetic generator: there is no file to
     * check.
     */
    static final String SYNTHETIC_SCHEME = "shapes";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HEAP = Pattern.compile("[0-9]+[kKmMgG]?");

    private final String source;
    private final boolean checkFiles;
    private final List<String> problems = new ArrayList<>();

    SweepConfigValidator(String source, boolean checkFiles) {
        this.source = source;
        this.checkFiles = checkFiles;
    }

    List<String> validate(SweepConfig c) {
        if (!ID.matcher(c.sweep().id()).matches()) {
            problem(
                    "sweep.id='"
                            + c.sweep().id()
                            + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        SweepConfig.Model m = c.model();
        if (m.scale() != null && !SCALES.contains(m.scale())) {
            problem("model.scale='" + m.scale() + "' is not one of n, s, m, l, x");
        }
        SweepConfig.Data d = c.data();
        if (d.imgsz() < 32 || d.imgsz() % 32 != 0) {
            problem(
                    "data.imgsz="
                            + d.imgsz()
                            + " must be a positive multiple of 32 (the largest YOLO stride)");
        }
        if (d.batch() < 1) {
            problem("data.batch=" + d.batch() + " must be at least 1");
        }
        SweepConfig.Epochs e = c.epochs();
        if (e.dense() < 0 || (e.dense() == 0 && m.checkpoint() == null)) {
            problem(
                    "epochs.dense="
                            + e.dense()
                            + " must be at least 1 (0 only when model.checkpoint is given)");
        }
        boolean anySparse = c.sparse().lambdas().stream().anyMatch(l -> l != null && l > 0);
        if (e.sparse() < 0 || (anySparse && e.sparse() == 0)) {
            problem("epochs.sparse=" + e.sparse() + " must be at least 1 when a lambda is above 0");
        }
        if (e.finetune() < 0) {
            problem("epochs.finetune=" + e.finetune() + " must be 0 or more");
        }
        checkList("seeds", c.seeds(), s -> s < 0 ? "is negative" : null);
        checkList(
                "sparse.lambdas",
                c.sparse().lambdas(),
                l ->
                        !Double.isFinite(l) || l < 0
                                ? "must be 0 (no sparse stage) or a positive number"
                                : null);
        SweepConfig.Prune p = c.prune();
        checkList(
                "prune.methods",
                p.methods(),
                x ->
                        isMethod(x)
                                ? null
                                : "is not a method; use one of "
                                        + String.join(
                                                ", ",
                                                io.prunesweep.prune.ImportanceRegistry.ids()));
        checkList(
                "prune.reconstruct",
                p.reconstruct(),
                x -> x == null ? "must be true or false" : null);
        if (p.reconstruct() != null
                && p.reconstruct().equals(List.of(true))
                && p.methods() != null
                && p.methods().equals(List.of("unstructured"))) {
            problem(
                    "prune.reconstruct=[true] with only the unstructured method leaves no point: reconstruction re-fits"
                            + " convs that lost channels; add a structured method or include false");
        }
        checkList("prune.ratios", p.ratios(), r -> r >= 0 && r < 1 ? null : "is outside [0,1)");
        if (!isScope(p.scope())) {
            problem("prune.scope='" + p.scope() + "' must be global or local");
        }
        if (p.minChannels() < 1) {
            problem("prune.min_channels=" + p.minChannels() + " must be at least 1");
        }
        if (p.roundTo() < 1) {
            problem("prune.round_to=" + p.roundTo() + " must be at least 1 (1 = no rounding)");
        }
        checkSpark(c.spark());
        ModeChecks.check(c, this::problem);
        for (String trainProblem :
                io.prunesweep.train.TrainOverrides.problems(
                        io.prunesweep.train.TrainConfig.defaults(), c.train())) {
            problem(trainProblem);
        }
        Configuration conf = StageFiles.conf(c.hadoopConf());
        boolean outputUsable = checkOutput(c.output(), conf);
        if (checkFiles && outputUsable) {
            checkOutputTarget(c.output(), conf);
        }
        if (checkFiles) {
            checkModel(m);
            checkExists("model.checkpoint", m.checkpoint(), conf);
            if (io.prunesweep.data.convert.ConvertedDatasetSpec.isSpec(d.dataset())) {
                String source = d.dataset().substring(d.dataset().indexOf(':') + 1).strip();
                if (!source.isEmpty()) {
                    checkExists("data.dataset", source, conf);
                }
            } else if (!d.dataset().startsWith(SYNTHETIC_SCHEME + ":")) {
                checkExists("data.dataset", d.dataset(), conf);
            }
        }
        if (io.prunesweep.data.convert.ConvertedDatasetSpec.isSpec(d.dataset())) {
            try {
                io.prunesweep.data.convert.ConvertedDatasetSpec.parse(d.dataset());
            } catch (io.prunesweep.InputException bad) {
                problem("data.dataset: " + bad.getMessage());
            }
        }
        if (d.dataset().startsWith(SYNTHETIC_SCHEME + ":")) {
            try {
                io.prunesweep.data.SyntheticDatasetSpec.parse(d.dataset());
            } catch (io.prunesweep.InputException bad) {
                problem("data.dataset: " + bad.getMessage());
            }
        }
        return problems;
    }

    private static boolean isMethod(String m) {
        try {
            io.prunesweep.prune.Method.parse(m);
            return true;
        } catch (io.prunesweep.InputException unknown) {
            return false;
        }
    }

    private static boolean isScope(String s) {
        try {
            io.prunesweep.prune.Scope.parse(s);
            return true;
        } catch (io.prunesweep.InputException unknown) {
            return false;
        }
    }

    /**
     * The model YAML must build at the chosen scale (a path, a Hadoop URI or a bundled name such as
     * yolov8).
     */
    private void checkModel(SweepConfig.Model m) {
        if (m.yaml() == null) {
            return;
        }
        try {
            io.prunesweep.model.GraphBuilder.build(
                    io.prunesweep.model.ModelDefinition.resolve(m.yaml()), m.scale(), null);
        } catch (io.prunesweep.InputException e) {
            problem("model.yaml: " + e.getMessage());
        }
    }

    private void checkSpark(SweepConfig.Spark s) {
        if (s.master().isBlank()) {
            problem("spark.master is empty; use local[*], spark://host:7077, yarn or k8s://...");
        } else if (SparkMaster.formatProblem(s.master()) != null) {
            problem(SparkMaster.formatProblem(s.master()));
        }
        double g = s.gpuAmount();
        boolean fraction = g > 0 && g < 1 && Math.abs(1 / g - Math.rint(1 / g)) < 1e-9;
        if (!(g == 0 || fraction || (g >= 1 && g == Math.rint(g)))) {
            problem(
                    "spark.gpu_amount="
                            + g
                            + " must be 0 (CPU), a whole number, or 1/n to share a GPU by n tasks");
        }
        if (s.taskCpus() < 1) {
            problem("spark.task_cpus=" + s.taskCpus() + " must be at least 1");
        }
        if (!HEAP.matcher(s.childHeap()).matches()) {
            problem("spark.child_heap='" + s.childHeap() + "' must be a JVM size like 2g or 1536m");
        }
        if (s.childThreads() < 0) {
            problem("spark.child_threads=" + s.childThreads() + " must be 0 (= task_cpus) or more");
        }
        if (!(s.timeoutMinutes() > 0)) {
            problem("spark.timeout_minutes=" + s.timeoutMinutes() + " must be above 0");
        }
    }

    private boolean checkOutput(String output, Configuration conf) {
        try {
            URI uri = new Path(output).toUri();
            String scheme = uri.getScheme() == null ? "file" : uri.getScheme();
            FileSystem.getFileSystemClass(scheme, conf);
            return true;
        } catch (Exception ex) {
            problem(
                    "output='"
                            + output
                            + "' is not a usable filesystem URI ("
                            + ex.getMessage()
                            + "); use a path, file:/..., hdfs://... or s3a://bucket/...");
            return false;
        }
    }

    /**
     * The output must be a directory or creatable as one: an existing file there (or at any parent)
     * would let the dense stage train for nothing and then fail writing its checkpoint.
     */
    private void checkOutputTarget(String output, Configuration conf) {
        try {
            String fileAt =
                    StorageProbe.check(
                            output,
                            conf,
                            (fs, path) -> {
                                Path target = fs.makeQualified(path);
                                for (Path p = target; p != null; p = p.getParent()) {
                                    try {
                                        if (!fs.getFileStatus(p).isFile()) {
                                            return null;
                                        }
                                        return p.equals(target)
                                                ? " is an existing file"
                                                : ": " + p + " is an existing file";
                                    } catch (java.io.FileNotFoundException missing) {
                                        // not there yet: the sweep creates it; look at the parent
                                    }
                                }
                                return null;
                            });
            if (fileAt != null) {
                problem(
                        "output="
                                + output
                                + fileAt
                                + ", not a directory; name a directory (it is created when missing)");
            }
        } catch (StorageProbe.Failure ex) {
            problem("output=" + output + " cannot be checked: " + ex.getMessage());
        }
    }

    private void checkExists(String key, String uri, Configuration conf) {
        if (uri == null) {
            return;
        }
        try {
            if (!StorageProbe.check(uri, conf, (fs, path) -> fs.exists(path))) {
                problem(
                        key
                                + "="
                                + uri
                                + " does not exist; check the path (relative paths are resolved "
                                + "against the working directory)");
            }
        } catch (StorageProbe.Failure ex) {
            problem(key + "=" + uri + " cannot be checked: " + ex.getMessage());
        }
    }

    private <T> void checkList(
            String key, List<T> values, java.util.function.Function<T, String> check) {
        if (values == null || values.isEmpty()) {
            problem(key + " is empty; give at least one value");
            return;
        }
        Set<T> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            T v = values.get(i);
            String why = check.apply(v);
            if (why != null) {
                problem(key + "[" + i + "]=" + v + " " + why);
            }
            if (!seen.add(v)) {
                problem(key + "[" + i + "]=" + v + " is listed twice");
            }
        }
    }

    private void problem(String text) {
        problems.add(source + ": " + text);
    }
}
