package io.prunesweep.backend;

/**
 * How libtorch's OpenMP worker threads wait between parallel regions ({@code OMP_WAIT_POLICY},
 * which libgomp reads once, when libtorch loads). Spinning threads answer the next region at once,
 * which is what one process on its own cores wants; sleeping threads leave the cores to others,
 * which is what several engine JVMs sharing a machine (a sweep's concurrent points) need: there,
 * spinning made training steps up to 10x slower.
 *
 * <ul>
 *   <li>{@code OMP_WAIT_POLICY} set by the user: kept.
 *   <li>{@value #SHARED_VARIABLE}{@code =true} (set by the sweep's point supervisor when a child
 *       gets fewer threads than the machine has cores, i.e. points share the machine): {@code
 *       PASSIVE}.
 *   <li>One process, but the machine is already busy (1-minute load average at or above its cores
 *       less one half): {@code PASSIVE} too. Spinning threads that lose their core to someone
 *       else's work stall every parallel region: one training step took 40x longer that way at load
 *       9 on 2 cores.
 *   <li>Otherwise (one process on idle cores): {@link #SINGLE_PROCESS}.
 * </ul>
 *
 * Chosen in {@link BackendGuard#ensure}, before libtorch loads, and written into the C environment
 * like the oneDNN ISA cap. Measured effect: README "Speed".
 */
public final class ThreadPolicy {
    public static final String WAIT_VARIABLE = "OMP_WAIT_POLICY";

    /** {@code true} when the process shares its machine's cores with other engine processes. */
    public static final String SHARED_VARIABLE = "PRUNESWEEP_SHARED_CORES";

    /** The policy of a process that has its cores to itself. */
    static final String SINGLE_PROCESS = "ACTIVE";

    static final String SHARED = "PASSIVE";

    private static volatile String reason = "not chosen yet";

    private ThreadPolicy() {}

    /**
     * Chooses and sets the wait policy for this process, unless the user set one or libtorch is
     * already loaded.
     */
    static synchronized void apply() {
        String user = System.getenv(WAIT_VARIABLE);
        if (user != null && !user.isBlank()) {
            reason = "set by the user";
            return;
        }
        if (NativeBackend.loadedLibrary("libtorch_cpu.so").isPresent()) {
            reason = "libtorch was loaded before the choice";
            return;
        }
        Choice c =
                choose(
                        Boolean.parseBoolean(System.getenv(SHARED_VARIABLE)),
                        loadAverage(),
                        Runtime.getRuntime().availableProcessors());
        NativeBackend.setenv(WAIT_VARIABLE, c.policy());
        reason = c.reason();
    }

    /** A wait policy and the phrase that says why. */
    record Choice(String policy, String reason) {}

    /**
     * The policy for a process that shares its cores with siblings ({@code shared}) or not, on a
     * machine this busy.
     */
    static Choice choose(boolean shared, double loadAverage, int cores) {
        if (shared) {
            return new Choice(SHARED, "cores shared with other engine processes");
        }
        if (loadAverage >= cores - 0.5) {
            return new Choice(
                    SHARED,
                    String.format(
                            java.util.Locale.ROOT,
                            "machine busy: load %.1f on %d cores",
                            loadAverage,
                            cores));
        }
        return new Choice(SINGLE_PROCESS, "one process on its cores");
    }

    /** The 1-minute load average, or 0 where the system does not say. */
    static double loadAverage() {
        double load =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage();
        return load < 0 ? 0 : load;
    }

    /** The policy in effect in this process ({@code default} when none is set), and why. */
    public static String describe() {
        return WAIT_VARIABLE + "=" + waitPolicy() + " (" + reason + ")";
    }

    /** The policy in this process's environment, or {@code default}. */
    public static String waitPolicy() {
        String v = NativeBackend.getenv(WAIT_VARIABLE);
        return v == null ? "default" : v;
    }

    /**
     * Whether a child given {@code threads} intra-op threads will share this machine's cores with
     * its siblings.
     */
    public static boolean sharesCores(int threads) {
        return threads < Runtime.getRuntime().availableProcessors();
    }
}
