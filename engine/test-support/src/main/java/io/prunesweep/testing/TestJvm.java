package io.prunesweep.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Child JVMs and loopback ports for tests of both modules. */
public final class TestJvm {
    private TestJvm() {}

    /** A port free on 127.0.0.1 right now (closed again: connecting to it is refused). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    public static String javaBin() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * {@code java <this JVM's flags> <extraFlags> -cp <the test classpath> mainClass args}: a fresh
     * JVM that runs like this one (same heap, module opens and DJL settings), for tests that need a
     * process of their own.
     */
    public static List<String> command(
            List<String> extraFlags, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin());
        cmd.addAll(flags());
        cmd.addAll(extraFlags);
        cmd.addAll(List.of("-cp", classpath(), mainClass));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * This JVM's flags (heap, module opens, {@code -Dai.djl.offline=true}, {@code -DDJL_CACHE_DIR},
     * {@code -Dai.djl.pytorch.num_threads}: Surefire's argLine), without agents; the two DJL
     * settings are added from the system properties if the test runs without them (e.g. from an
     * IDE).
     */
    public static List<String> flags() {
        List<String> flags = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-javaagent")
                    || a.startsWith("-agentlib")
                    || a.startsWith("-agentpath")
                    || a.startsWith("-Xrunjdwp")
                    || a.startsWith("-Xdebug")) {
                continue;
            }
            flags.add(a);
        }
        if (flags.stream().noneMatch(f -> f.startsWith("-Dai.djl.offline="))) {
            flags.add("-Dai.djl.offline=true");
        }
        String cache = System.getProperty("DJL_CACHE_DIR");
        if (cache != null && flags.stream().noneMatch(f -> f.startsWith("-DDJL_CACHE_DIR="))) {
            flags.add("-DDJL_CACHE_DIR=" + cache);
        }
        return flags;
    }

    /**
     * The test classpath: Surefire's {@code surefire.test.class.path} when set, else {@code
     * java.class.path} (under Surefire possibly a manifest-only jar whose Class-Path lists the same
     * entries, which a child JVM honours too).
     */
    public static String classpath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }
}
