package io.prunesweep.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a backend verdict depends on, read without loading libtorch: the host, the CPU (model,
 * family, microcode, feature flags), the libtorch build, a user's own {@code ONEDNN_MAX_CPU_ISA},
 * and the version of the check itself. A verdict is cached under {@link #key()}; a change to any of
 * these asks for a new check.
 */
public record HostFingerprint(
        String hostname,
        String cpuModel,
        String cpuId,
        String microcode,
        List<String> vectorFlags,
        String flagsHash,
        String libtorch,
        String userIsa,
        String simulatedFault) {
    /** Bump when the cases or the ladder change, so old verdicts are not trusted. */
    static final int CHECK_VERSION =
            3; // 3: 9 px cases (a Zen 5 host failed 3x3 stride-2 convolutions at 9 px)

    public static HostFingerprint current() {
        List<String> cpuinfo = readLines(Path.of("/proc/cpuinfo"));
        String flags = field(cpuinfo, "flags");
        List<String> vector =
                Arrays.stream(flags.split("\\s+"))
                        .filter(
                                f ->
                                        f.startsWith("avx")
                                                || f.startsWith("amx")
                                                || f.startsWith("sse4")
                                                || f.equals("fma"))
                        .collect(Collectors.toCollection(TreeSet::new))
                        .stream()
                        .toList();
        String cpuId =
                "family "
                        + field(cpuinfo, "cpu family")
                        + " model "
                        + field(cpuinfo, "model")
                        + " stepping "
                        + field(cpuinfo, "stepping");
        String user = System.getenv(BackendSettings.ISA_VARIABLE);
        String fault = Convolutions.SimulatedFault.mode();
        return new HostFingerprint(
                readHostname(),
                field(cpuinfo, "model name"),
                cpuId,
                field(cpuinfo, "microcode"),
                vector,
                sha256(flags).substring(0, 12),
                libtorchInUse(),
                user == null ? "" : user,
                fault);
    }

    /** File-name-safe key of every field plus the check version. */
    public String key() {
        String all =
                String.join(
                        "|",
                        hostname,
                        cpuModel,
                        cpuId,
                        microcode,
                        flagsHash,
                        libtorch,
                        userIsa,
                        simulatedFault,
                        Integer.toString(CHECK_VERSION));
        return sha256(all).substring(0, 20);
    }

    public boolean avx512() {
        return vectorFlags.stream().anyMatch(f -> f.startsWith("avx512"));
    }

    /** {@code AMD EPYC (family 25 model 17 stepping 1), AVX-512} */
    public String describe() {
        return (cpuModel.isEmpty() ? "unknown CPU" : cpuModel)
                + " ("
                + cpuId
                + "), "
                + (avx512() ? "AVX-512" : "no AVX-512");
    }

    /**
     * The libtorch this JVM will load: DJL's native jar on the classpath, or an external one
     * (PYTORCH_LIBRARY_PATH).
     */
    static String libtorchInUse() {
        String external = System.getenv("PYTORCH_LIBRARY_PATH");
        if (external != null && !external.isBlank()) {
            Path lib = Path.of(external, "libtorch_cpu.so");
            long size = -1;
            try {
                size = Files.size(lib);
            } catch (IOException ignored) {
                // not there (yet): the path alone keys it
            }
            return external + " (" + size + " bytes)";
        }
        try (InputStream in =
                HostFingerprint.class
                        .getClassLoader()
                        .getResourceAsStream("native/lib/pytorch.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "?") + "-" + p.getProperty("flavor", "?");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String readHostname() {
        for (Path p : List.of(Path.of("/proc/sys/kernel/hostname"), Path.of("/etc/hostname"))) {
            List<String> lines = readLines(p);
            if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                return lines.get(0).trim();
            }
        }
        String env = System.getenv("HOSTNAME");
        return env == null ? "" : env;
    }

    private static String field(List<String> cpuinfo, String name) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    private static List<String> readLines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
