package io.prunesweep.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.prunesweep.sweep.SweepJob;
import io.prunesweep.sweep.config.SweepConfig;
import io.prunesweep.sweep.config.SweepConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * deploy/docker/Dockerfile and deploy/k8s/*.yaml read as files and cross-checked against each
 * other, against the sweep YAMLs they run (loaded and validated by the real loader), and against
 * the jars on this classpath (DJL's JNI flavors, Spark's version, the main class).
 */
class DeployManifestsTest {
    static final String IMAGE_HOME = "/opt/prunesweep";
    static final Set<String> SHARED_FILESYSTEMS =
            Set.of("s3a", "hdfs", "gs", "abfs", "abfss", "wasbs", "viewfs");

    static Dockerfile image;
    static List<JsonNode> rbac;
    static Map<String, JsonNode> applications = new LinkedHashMap<>();

    @BeforeAll
    static void load() throws IOException {
        image = Dockerfile.parse(Repo.file("deploy/docker/Dockerfile"));
        rbac = Manifests.load("deploy/k8s/rbac.yaml");
        for (Path f : Repo.filesUnder("deploy/k8s")) {
            for (JsonNode doc : Manifests.load(f)) {
                if ("SparkApplication".equals(doc.path("kind").asText())) {
                    applications.put(
                            f.getFileName() + ":" + doc.at("/metadata/name").asText(), doc);
                }
            }
        }
        assertTrue(applications.size() >= 2, "SparkApplications found: " + applications.keySet());
    }

    static String sparkVersion() {
        return org.apache.spark.package$.MODULE$.SPARK_VERSION();
    }

    // ---- the container image

    @Test
    void imageCarriesTheCudaLibtorchThatDjlLoads() throws IOException {
        Map<String, String> env = image.env();
        String libDir = env.get("PYTORCH_LIBRARY_PATH");
        assertNotNull(libDir, "ENV PYTORCH_LIBRARY_PATH: " + env);
        assertTrue(
                image.copies(image.finalStage()).stream()
                        .anyMatch(
                                c ->
                                        "libtorch".equals(c.fromStage())
                                                && c.destination().equals(libDir)
                                                && c.sources().equals(List.of(libDir))),
                "the final image copies the libtorch stage's " + libDir);

        String flavor = env.get("PYTORCH_FLAVOR");
        String version = env.get("PYTORCH_VERSION");
        assertTrue(flavor != null && flavor.startsWith("cu"), "a CUDA flavor, got " + flavor);
        Properties engine = new Properties();
        try (InputStream in =
                getClass().getClassLoader().getResourceAsStream("pytorch-engine.properties")) {
            engine.load(in);
        }
        assertEquals(
                engine.getProperty("pytorch_version"),
                version,
                "DJL's PyTorch engine expects this libtorch");
        assertNotNull(
                getClass()
                        .getClassLoader()
                        .getResource("jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so"),
                "DJL's pytorch-jni jar has no JNI library for PYTORCH_FLAVOR=" + flavor);

        String download = String.join("\n", image.runs(image.stage("libtorch")));
        assertTrue(
                download.contains("download.pytorch.org/libtorch/" + flavor + "/")
                        && download.contains("-" + version + "%2B" + flavor + ".zip"),
                download);
        assertTrue(
                download.contains("test -f " + libDir + "/libtorch.so"),
                "the build checks the library is there");

        assertWritableByTheImageUser(env.get("DJL_CACHE_DIR"));
        assertEquals(
                "PCI_BUS_ID",
                env.get("CUDA_DEVICE_ORDER"),
                "CUDA must number GPUs as nvidia-smi does");
        assertTrue(
                env.getOrDefault("NVIDIA_DRIVER_CAPABILITIES", "").contains("compute")
                        && env.get("NVIDIA_DRIVER_CAPABILITIES").contains("utility"),
                "utility brings nvidia-smi");
        for (String name : env.keySet()) {
            assertFalse(name.startsWith("AWS_"), "no AWS credentials in the image: " + name);
        }
    }

    @Test
    void imageRunsTheSparkAndJavaTheProjectBuildsAgainst() {
        String base = image.finalStage().baseImage();
        String scalaBinary =
                scala.util.Properties.versionNumberString().replaceAll("^(\\d+\\.\\d+).*", "$1");
        assertEquals(
                "apache/spark:" + sparkVersion() + "-scala" + scalaBinary + "-java17-ubuntu", base);
        assertTrue(
                image.stage("build").baseImage().contains("temurin-17"),
                image.stage("build").baseImage());
        assertTrue(
                image.runs(image.stage("build")).stream().anyMatch(r -> r.contains("-Papp-jar")),
                "the jar is built with the app-jar profile (Spark provided)");
        assertTrue(
                image.runs(image.stage("build")).stream()
                        .anyMatch(r -> r.contains("-Papp-jar,cuda") && r.contains("-app-cuda.jar")),
                "the image ships the jar without DJL's CPU libtorch (cuda profile)");
        assertTrue(
                image.copies(image.finalStage()).stream()
                        .anyMatch(
                                c ->
                                        "build".equals(c.fromStage())
                                                && c.destination()
                                                        .equals(
                                                                IMAGE_HOME
                                                                        + "/prunesweep-spark-jobs.jar")));
        assertEquals(
                Repo.file("deploy/gpu/get-gpus.sh"),
                image.contextFileFor(IMAGE_HOME + "/deploy/gpu/get-gpus.sh", Repo.root()));
        assertTrue(
                Files.isDirectory(image.contextFileFor(IMAGE_HOME + "/conf/sweeps", Repo.root())));
        assertFalse(Set.of("root", "0").contains(image.user()), "runs as " + image.user());
    }

    private static void assertWritableByTheImageUser(String dir) {
        assertNotNull(dir);
        String runs = String.join("\n", image.runs(image.finalStage()));
        assertTrue(
                runs.contains("mkdir -p " + dir)
                        && runs.matches(
                                "(?s).*chown -R "
                                        + image.user()
                                        + "(:\\S+)? "
                                        + Pattern.quote(dir)
                                        + ".*"),
                dir + " must be created and owned by " + image.user() + ":\n" + runs);
    }

    // ---- the Spark operator applications

    /**
     * The sweep a SparkApplication runs, loaded from the repository file the image holds at that
     * path.
     */
    record Sweep(String path, List<String> overrides, SweepConfig config) {}

    static Sweep sweepOf(JsonNode app) {
        List<String> args = new ArrayList<>();
        app.at("/spec/arguments").forEach(a -> args.add(a.asText()));
        CommandLine.ParseResult parsed =
                new CommandLine(new SweepJob()).parseArgs(args.toArray(new String[0]));
        String path = parsed.matchedPositionalValue(0, null);
        List<String> overrides = parsed.matchedOptionValue("--set", List.of());
        Path file = image.contextFileFor(path, Repo.root());
        assertTrue(
                file != null && Files.isRegularFile(file),
                path + " is not a sweep file in the image");
        for (String o : overrides) {
            String value = o.substring(o.indexOf('=') + 1);
            if (value.startsWith(IMAGE_HOME + "/")) {
                Path local = image.contextFileFor(value, Repo.root());
                assertTrue(local != null && Files.exists(local), o + ": not in the image");
            }
        }
        return new Sweep(
                path, overrides, new SweepConfigLoader(false).load(file.toString(), overrides));
    }

    @Test
    void sparkApplicationsPointIntoTheImageAndRunValidSweeps() throws Exception {
        JsonNode account = only(rbac, "ServiceAccount");
        for (Map.Entry<String, JsonNode> e : applications.entrySet()) {
            String where = e.getKey();
            JsonNode app = e.getValue();
            JsonNode spec = app.get("spec");
            assertEquals("sparkoperator.k8s.io/v1beta2", app.path("apiVersion").asText(), where);
            assertEquals(
                    account.at("/metadata/namespace").asText(),
                    app.at("/metadata/namespace").asText(),
                    where);
            assertEquals("Java", spec.path("type").asText(), where);
            assertEquals("cluster", spec.path("mode").asText(), where);
            assertTrue(
                    spec.path("image").asText().matches("[^\\s:]+(:[^\\s:]+)?:[\\w.-]+"),
                    where + ": image with a tag");
            assertEquals(sparkVersion(), spec.path("sparkVersion").asText(), where);
            assertEquals(
                    "Never",
                    spec.at("/restartPolicy/type").asText(),
                    where + ": re-runs resume, never restart blindly");

            Method main =
                    Class.forName(spec.path("mainClass").asText())
                            .getMethod("main", String[].class);
            assertTrue(Modifier.isStatic(main.getModifiers()), where);
            String jar = spec.path("mainApplicationFile").asText();
            assertTrue(
                    jar.startsWith("local://")
                            && image.finalStageCopiesTo(jar.substring("local://".length())),
                    where + ": " + jar + " is not in the image");
            for (String pod : List.of("driver", "executor")) {
                assertEquals(
                        account.at("/metadata/name").asText(),
                        spec.at("/" + pod + "/serviceAccount").asText(),
                        where + " " + pod);
            }

            Sweep sweep = sweepOf(app);
            String scheme = URI.create(sweep.config().output()).getScheme();
            assertTrue(
                    scheme != null && SHARED_FILESYSTEMS.contains(scheme),
                    where
                            + ": output "
                            + sweep.config().output()
                            + " must be a filesystem every pod shares");
            String providers = sweep.config().hadoopConf().get("fs.s3a.aws.credentials.provider");
            assertNotNull(
                    providers,
                    where + ": S3 credentials provider for the driver and the points' child JVMs");
            for (String provider : providers.split(",")) {
                Class.forName(provider.strip()); // on the application's classpath
                assertFalse(
                        provider.contains("SimpleAWSCredentialsProvider")
                                || provider.contains("TemporaryAWSCredentialsProvider"),
                        "key-based provider " + provider);
            }
            for (String option : sweep.config().spark().childJavaOptions()) {
                if (option.startsWith("-DDJL_CACHE_DIR=")) {
                    assertWritableByTheImageUser(option.substring("-DDJL_CACHE_DIR=".length()));
                }
            }
        }
    }

    @Test
    void gpuCpuAndMemoryRequestsAgreeWithTheSweepTheyRun() {
        for (Map.Entry<String, JsonNode> e : applications.entrySet()) {
            String where = e.getKey();
            JsonNode spec = e.getValue().get("spec");
            SweepConfig config = sweepOf(e.getValue()).config();
            Map<String, String> conf = effectiveSparkConf(config, spec);
            int cores = spec.at("/executor/cores").asInt();
            int taskCpus = Integer.parseInt(conf.get("spark.task.cpus"));
            int tasksPerExecutor = cores / taskCpus;
            assertTrue(
                    tasksPerExecutor >= 1,
                    where + ": " + cores + " cores, " + taskCpus + " per task");

            JsonNode gpu = spec.at("/executor/gpu");
            if (gpu.isMissingNode()) {
                assertFalse(
                        conf.containsKey("spark.executor.resource.gpu.amount"),
                        where + ": GPUs asked from Spark but not from Kubernetes");
            } else {
                int gpus = gpu.path("quantity").asInt();
                assertEquals("nvidia.com/gpu", gpu.path("name").asText(), where);
                assertEquals(
                        gpus,
                        Integer.parseInt(conf.get("spark.executor.resource.gpu.amount")),
                        where + ": pod GPU limit vs spark.executor.resource.gpu.amount");
                assertEquals(
                        1.0,
                        Double.parseDouble(conf.get("spark.task.resource.gpu.amount")),
                        where + ": one GPU per point");
                assertEquals("nvidia.com", conf.get("spark.executor.resource.gpu.vendor"), where);
                String script = conf.get("spark.executor.resource.gpu.discoveryScript");
                assertEquals(
                        Repo.file("deploy/gpu/get-gpus.sh"),
                        image.contextFileFor(script, Repo.root()),
                        where + ": discovery script " + script);
                assertTrue(
                        tasksPerExecutor >= gpus,
                        where + ": " + tasksPerExecutor + " task slots leave GPUs idle");
                tasksPerExecutor = gpus;
            }
            long overhead = bytes(conf.get("spark.executor.memoryOverhead"));
            long children = tasksPerExecutor * bytes(config.spark().childHeap());
            assertTrue(
                    overhead >= children,
                    where
                            + ": the pod must hold "
                            + tasksPerExecutor
                            + " child JVMs of "
                            + config.spark().childHeap()
                            + " outside the executor heap; memoryOverhead is "
                            + conf.get("spark.executor.memoryOverhead"));
        }
    }

    /**
     * What the driver ends up with: the sweep's spark section (SweepJob applies it only where
     * spark-submit set nothing), overridden by the application's sparkConf and its executor fields.
     */
    static Map<String, String> effectiveSparkConf(SweepConfig config, JsonNode spec) {
        Map<String, String> conf = new LinkedHashMap<>(config.spark().conf());
        conf.put("spark.task.cpus", Integer.toString(config.spark().taskCpus()));
        if (config.spark().usesGpus()) {
            conf.put("spark.task.resource.gpu.amount", Double.toString(config.spark().gpuAmount()));
        }
        spec.path("sparkConf")
                .fields()
                .forEachRemaining(f -> conf.put(f.getKey(), f.getValue().asText()));
        Map<String, String> executorFields =
                Map.of(
                        "cores",
                        "spark.executor.cores",
                        "memory",
                        "spark.executor.memory",
                        "memoryOverhead",
                        "spark.executor.memoryOverhead",
                        "instances",
                        "spark.executor.instances");
        executorFields.forEach(
                (field, key) -> {
                    JsonNode v = spec.at("/executor/" + field);
                    if (!v.isMissingNode()) {
                        conf.put(key, v.asText());
                    }
                });
        return conf;
    }

    static long bytes(String jvmMemory) {
        assertNotNull(jvmMemory, "memory setting missing");
        Matcher m =
                Pattern.compile("(\\d+)([kmgt]?)b?")
                        .matcher(jvmMemory.toLowerCase(Locale.ROOT).strip());
        assertTrue(m.matches(), "not a JVM memory size: " + jvmMemory);
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            case "t" -> n << 40;
            default -> n;
        };
    }

    @Test
    void rbacLetsTheDriverManageItsExecutorPods() {
        JsonNode account = only(rbac, "ServiceAccount");
        String namespace = account.at("/metadata/namespace").asText();
        assertEquals(namespace, only(rbac, "Namespace").at("/metadata/name").asText());
        JsonNode role = only(rbac, "Role");
        JsonNode binding = only(rbac, "RoleBinding");
        assertEquals(namespace, role.at("/metadata/namespace").asText());
        assertEquals(role.at("/metadata/name").asText(), binding.at("/roleRef/name").asText());
        boolean bound = false;
        for (JsonNode s : binding.get("subjects")) {
            bound |=
                    "ServiceAccount".equals(s.path("kind").asText())
                            && account.at("/metadata/name").asText().equals(s.path("name").asText())
                            && namespace.equals(s.path("namespace").asText());
        }
        assertTrue(bound, "the role binding names the service account");
        for (String resource : List.of("pods", "services", "configmaps")) {
            for (String verb : List.of("create", "get", "list", "watch", "delete")) {
                assertTrue(
                        allows(role, resource, verb),
                        "the driver needs " + verb + " on " + resource);
            }
        }
    }

    private static boolean allows(JsonNode role, String resource, String verb) {
        for (JsonNode rule : role.get("rules")) {
            if (contains(rule.get("apiGroups"), "")
                    && contains(rule.get("resources"), resource)
                    && contains(rule.get("verbs"), verb)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (v.asText().equals(value) || v.asText().equals("*")) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode only(List<JsonNode> docs, String kind) {
        List<JsonNode> found =
                docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
        assertEquals(1, found.size(), kind + " documents in deploy/k8s/rbac.yaml");
        return found.get(0);
    }

    // ---- credentials

    @Test
    void noCredentialsInDeployNotebookOrSweepFiles() throws IOException {
        List<Pattern> forbidden =
                List.of(
                        Pattern.compile("\\b(AKIA|ASIA)[A-Z0-9]{16}\\b"), // AWS access key ids
                        Pattern.compile(
                                "(?i)aws_(secret_access_key|access_key_id|session_token)\\s*[:=]"),
                        Pattern.compile(
                                "fs\\.s3a\\.(access\\.key|secret\\.key|session\\.token)\\s*[:=]"),
                        Pattern.compile(
                                "(SimpleAWSCredentialsProvider|TemporaryAWSCredentialsProvider)"),
                        Pattern.compile("(?m)^kind:\\s*Secret\\s*$"));
        List<Path> files = new ArrayList<>(Repo.filesUnder("deploy"));
        files.addAll(Repo.filesUnder("notebooks"));
        files.addAll(Repo.filesUnder("conf/sweeps"));
        List<String> hits = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f);
            for (Pattern p : forbidden) {
                Matcher m = p.matcher(text);
                while (m.find()) {
                    hits.add(Repo.root().relativize(f) + ": " + m.group());
                }
            }
        }
        assertEquals(
                List.of(),
                hits,
                "credentials come from instance roles / pod identity / Hadoop credential "
                        + "providers, never from files");
    }
}
