package io.prunesweep.backend;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before any work, whether this machine's libtorch computes convolutions correctly, and
 * with which settings. Every engine JVM calls {@link #ensure()} first (the CLI, stage JVMs, the
 * tests' session listener).
 *
 * <p>The first call on a host probes the {@link BackendSettings#LADDER} in fresh JVMs, one per
 * oneDNN ISA (the ISA is fixed once libtorch has used oneDNN, so it cannot be tried in-process),
 * and caches the verdict per host, CPU and libtorch build. Every call then applies the chosen
 * settings to this process before libtorch loads, runs a quick in-process recheck, and says in one
 * log line what it found and chose. When nothing passes it throws: the engine never trains on wrong
 * numbers.
 */
public final class BackendGuard {
    private static final Logger LOG = LoggerFactory.getLogger(BackendGuard.class);
    private static final long PROBE_TIMEOUT_SECONDS = 300;
    private static volatile BackendVerdict applied;

    private BackendGuard() {}

    /** Checks (or recalls) and applies the backend settings for this JVM; idempotent. */
    public static BackendVerdict ensure() {
        return ensure(System.getProperty("java.class.path"));
    }

    /**
     * As {@link #ensure()}, probing with {@code classpath} (a Spark executor's class path is not
     * java.class.path).
     */
    public static synchronized BackendVerdict ensure(String classpath) {
        if (applied != null) {
            return applied;
        }
        VerdictCache cache = VerdictCache.standard();
        BackendVerdict v = requireUsable(cache, classpath);
        ThreadPolicy.apply();
        apply(v.chosen());
        ConvSelfCheck.Report quick = ConvSelfCheck.run(true, 1);
        if (!quick.passed()) {
            cache.delete(v.host().key());
            throw new BackendException(
                    "backend recheck failed under the cached choice ("
                            + v.chosen().label()
                            + "): "
                            + quick.summary()
                            + ". The cached verdict was removed; run again to check the ladder anew.");
        }
        LOG.info(
                "{} (recheck in this JVM: {} convolutions ok, {} ms); threads: {}",
                oneLine(v),
                quick.compared(),
                quick.millis(),
                ThreadPolicy.describe());
        applied = v;
        return v;
    }

    /**
     * The host's verdict (probed now if none is cached), without loading libtorch here: for a
     * driver that only starts engine JVMs. Throws when no setting passed.
     */
    public static BackendVerdict requireUsable(String classpath) {
        return requireUsable(VerdictCache.standard(), classpath);
    }

    private static BackendVerdict requireUsable(VerdictCache cache, String classpath) {
        BackendVerdict v = verdict(cache, false, classpath);
        if (!v.usable()) {
            throw new BackendException(
                    "no backend setting computes convolutions correctly on this CPU ("
                            + v.host().describe()
                            + ", libtorch "
                            + v.host().libtorch()
                            + "): "
                            + v.describe()
                            + ". Refusing to run on wrong numbers; see ./prunesweep doctor (verdict "
                            + cache.file(v.host().key())
                            + ")");
        }
        return v;
    }

    /** What was found and chosen, for the one log line every engine JVM prints. */
    public static String oneLine(BackendVerdict v) {
        boolean degraded = !v.chosen().equals(BackendSettings.LADDER.get(0));
        String user =
                v.host().userIsa().isEmpty()
                        ? ""
                        : " (oneDNN ISA capped by the user: "
                                + BackendSettings.ISA_VARIABLE
                                + "="
                                + v.host().userIsa()
                                + ")";
        return "backend: "
                + (degraded ? "WRONG NUMBERS with the default settings" : "ok")
                + " on "
                + v.host().describe()
                + ", libtorch "
                + v.host().libtorch()
                + ": "
                + v.describe()
                + user
                + " (checked "
                + v.checkedAt()
                + ")";
    }

    /** The verdict this process applied, or null before {@link #ensure()}. */
    public static BackendVerdict applied() {
        return applied;
    }

    /**
     * The environment a child JVM needs for this host's cached verdict (empty when none is cached
     * yet: the child then checks by itself). For supervisors that start engine JVMs.
     */
    public static Map<String, String> childEnvironment() {
        BackendVerdict v =
                applied != null
                        ? applied
                        : VerdictCache.standard()
                                .read(HostFingerprint.current().key())
                                .orElse(null);
        return v == null || !v.usable() ? Map.of() : v.chosen().environment();
    }

    /**
     * The cached verdict, or a new one probed now ({@code recheck} ignores the cache). Does not
     * apply it.
     */
    public static BackendVerdict verdict(boolean recheck, String classpath) {
        return verdict(VerdictCache.standard(), recheck, classpath);
    }

    static BackendVerdict verdict(VerdictCache cache, boolean recheck, String classpath) {
        HostFingerprint host = HostFingerprint.current();
        try {
            return cache.locked(
                    () -> {
                        if (!recheck) {
                            var cached = cache.read(host.key());
                            if (cached.isPresent()) {
                                return cached.get();
                            }
                        }
                        BackendVerdict v = probe(host, classpath);
                        cache.write(v);
                        return v;
                    });
        } catch (BackendException e) {
            throw e;
        } catch (Exception e) {
            throw new BackendException("backend self-check could not run: " + e.getMessage(), e);
        }
    }

    /**
     * Tries the ladder in fresh JVMs, one per run of rungs with the same ISA, until a rung passes.
     */
    static BackendVerdict probe(HostFingerprint host, String classpath) throws Exception {
        long t0 = System.nanoTime();
        List<BackendVerdict.Attempt> tried = new ArrayList<>();
        List<BackendSettings> ladder = ladderFor(host);
        BackendSettings chosen = null;
        String isaSeen = "";
        int i = 0;
        while (i < ladder.size() && chosen == null) {
            int j = i;
            while (j < ladder.size() && ladder.get(j).isa().equals(ladder.get(i).isa())) {
                j++;
            }
            ProbeRun run = runProbe(ladder.subList(i, j), classpath);
            tried.addAll(run.attempts);
            if (isaSeen.isEmpty()) {
                isaSeen = run.isa;
            }
            for (BackendVerdict.Attempt a : run.attempts) {
                if (a.passed()) {
                    chosen = a.settings();
                    isaSeen = run.isa;
                }
            }
            i = j;
        }
        return new BackendVerdict(
                host,
                chosen,
                tried,
                Instant.now().toString(),
                (System.nanoTime() - t0) / 1_000_000,
                isaSeen);
    }

    /** The ladder, less the ISA rungs when the user fixed {@code ONEDNN_MAX_CPU_ISA} themselves. */
    static List<BackendSettings> ladderFor(HostFingerprint host) {
        if (host.userIsa().isEmpty()) {
            return BackendSettings.LADDER;
        }
        return BackendSettings.LADDER.stream().filter(BackendSettings::defaultIsa).toList();
    }

    private record ProbeRun(List<BackendVerdict.Attempt> attempts, String isa) {}

    private static ProbeRun runProbe(List<BackendSettings> rungs, String classpath)
            throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Paths.get(System.getProperty("java.home"), "bin", "java")
                                        .toString(),
                                "-Xmx768m",
                                "-XX:+IgnoreUnrecognizedVMOptions"));
        for (String p : System.getProperties().stringPropertyNames()) {
            if (p.startsWith("ai.djl.")
                    || p.equals("DJL_CACHE_DIR")
                    || p.equals("ENGINE_CACHE_DIR")
                    || p.startsWith("prunesweep.backend.")) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(List.of("-cp", classpath, BackendProbe.class.getName()));
        for (BackendSettings s : rungs) {
            cmd.add(Integer.toString(BackendSettings.LADDER.indexOf(s)));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(rungs.get(0).environment());
        if (System.getenv(BackendSettings.ISA_VARIABLE) == null && rungs.get(0).defaultIsa()) {
            pb.environment().remove(BackendSettings.ISA_VARIABLE);
        }
        // oneDNN prints the ISA it dispatches to; "check" level prints that header and little else
        pb.environment().putIfAbsent("ONEDNN_VERBOSE", "check");
        Process p = pb.start();
        p.getOutputStream().close();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        }
        if (!p.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        String isa =
                lines.stream()
                        .filter(l -> l.contains(",info,cpu,isa:"))
                        .map(l -> l.substring(l.indexOf("isa:") + 4))
                        .findFirst()
                        .orElse("");
        for (int k = lines.size() - 1; k >= 0; k--) {
            if (lines.get(k).startsWith(BackendProbe.PREFIX)) {
                List<BackendVerdict.Attempt> a =
                        VerdictCache.JSON.readValue(
                                lines.get(k).substring(BackendProbe.PREFIX.length()),
                                new TypeReference<List<BackendVerdict.Attempt>>() {});
                return new ProbeRun(a, isa);
            }
        }
        // no answer: the probe died (a native crash in a faulty kernel is one way); every rung it
        // had counts as failed
        String tail = lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
        int code = p.isAlive() ? -1 : p.exitValue();
        List<BackendVerdict.Attempt> failed = new ArrayList<>();
        for (BackendSettings s : rungs) {
            failed.add(
                    new BackendVerdict.Attempt(
                            s,
                            false,
                            "probe JVM ended without an answer (exit " + code + "): " + tail,
                            0));
        }
        return new ProbeRun(failed, isa);
    }

    /**
     * Applies settings to this process: the ISA cap before libtorch loads, channel padding, oneDNN
     * on or off.
     */
    static void apply(BackendSettings s) {
        String current = NativeBackend.getenv(BackendSettings.ISA_VARIABLE);
        boolean torchLoaded = NativeBackend.loadedLibrary("libtorch_cpu.so").isPresent();
        if (!s.reachableFrom(current)
                && !(s.defaultIsa() && System.getenv(BackendSettings.ISA_VARIABLE) != null)) {
            if (torchLoaded) {
                throw new BackendException(
                        "libtorch was loaded before the backend check, with "
                                + BackendSettings.ISA_VARIABLE
                                + "="
                                + (current == null ? "unset" : current)
                                + "; this host needs "
                                + s.label()
                                + ": start the process with "
                                + BackendSettings.ISA_VARIABLE
                                + "="
                                + s.isa());
            }
            NativeBackend.setenv(BackendSettings.ISA_VARIABLE, s.defaultIsa() ? null : s.isa());
        }
        Convolutions.use(s);
        if (!s.onednn() || torchLoaded) {
            NativeBackend.setOneDnnEnabled(s.onednn());
        }
    }

    /** Applies {@code s} in this process and checks it (the probe's unit of work). */
    static BackendVerdict.Attempt attempt(BackendSettings s, boolean quick, int repeats) {
        long t0 = System.nanoTime();
        try {
            apply(s);
            ConvSelfCheck.Report r = ConvSelfCheck.run(quick, repeats);
            return new BackendVerdict.Attempt(
                    s, r.passed(), r.summary(), (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            return new BackendVerdict.Attempt(
                    s, false, "check threw " + e, (System.nanoTime() - t0) / 1_000_000);
        }
    }
}
