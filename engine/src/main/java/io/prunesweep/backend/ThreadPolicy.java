package io.prunesweep.backend;

/**
 * How libtorch's OpenMP worker threads wait between parallel regions ({@code OMP_WAIT_POLICY}, which libgomp reads
 * once, when libtorch loads). Spinning threads answer the next region at once, which is what one process on its
 * own cores wants; sleeping threads leave the cores to others, which is what several engine JVMs sharing a machine
 * (a sweep's concurrent points) need: there, spinning made training steps up to 10x slower.
 *
 * <ul>
 *   <li>{@code OMP_WAIT_POLICY} set by the user: kept.
 *   <li>{@value #SHARED_VARIABLE}{@code =true} (set by the sweep's point supervisor when a child gets fewer threads
 *       than the machine has cores, i.e. points share the machine): {@code PASSIVE}.
 *   <li>Otherwise (one CLI process): {@link #SINGLE_PROCESS}.
 * </ul>
 * Chosen in {@link BackendGuard#ensure}, before libtorch loads, and written into the C environment like the
 * oneDNN ISA cap. Measured effect: README "Speed".
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

    /** Chooses and sets the wait policy for this process, unless the user set one or libtorch is already loaded. */
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
        boolean shared = Boolean.parseBoolean(System.getenv(SHARED_VARIABLE));
        NativeBackend.setenv(WAIT_VARIABLE, shared ? SHARED : SINGLE_PROCESS);
        reason = shared ? "cores shared with other engine processes" : "one process on its cores";
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

    /** Whether a child given {@code threads} intra-op threads will share this machine's cores with its siblings. */
    public static boolean sharesCores(int threads) {
        return threads < Runtime.getRuntime().availableProcessors();
    }
}
