package io.prunesweep.backend;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How this process runs its convolutions: the oneDNN instruction-set cap ({@code
 * ONEDNN_MAX_CPU_ISA}, fixed when libtorch first uses oneDNN), zero-padding of channel counts to a
 * multiple of {@code padTo} (0 = off; our own code, changeable at any time), and whether libtorch
 * may use oneDNN at all for convolutions.
 *
 * @param isa {@code default} (no cap) or a oneDNN ISA name such as {@code AVX2}, {@code SSE41}
 * @param padTo channel padding multiple for k &gt; 1 convolutions, 0 for none
 * @param onednn false routes convolutions to ATen's own im2col + GEMM kernels
 */
public record BackendSettings(String isa, int padTo, boolean onednn) {
    public static final String DEFAULT_ISA = "default";
    public static final String ISA_VARIABLE = "ONEDNN_MAX_CPU_ISA";

    /**
     * Fastest first (measured: backend/README.md); each rung gives up speed for fewer suspect
     * kernels. The self-check takes the first that passes. ATen's own convolutions (oneDNN off)
     * trained 1.7x slower than oneDNN here, oneDNN capped at SSE4.1 2.0x slower, so SSE4.1 is the
     * last resort.
     */
    public static final List<BackendSettings> LADDER =
            List.of(
                    new BackendSettings(DEFAULT_ISA, 0, true),
                    new BackendSettings(DEFAULT_ISA, 16, true),
                    new BackendSettings("AVX2", 0, true),
                    new BackendSettings("AVX2", 16, true),
                    new BackendSettings(DEFAULT_ISA, 0, false),
                    new BackendSettings("SSE41", 0, true));

    public BackendSettings {
        isa = isa == null || isa.isBlank() ? DEFAULT_ISA : isa.trim();
        if (padTo < 0) {
            throw new IllegalArgumentException("padTo must be >= 0");
        }
    }

    public boolean defaultIsa() {
        return DEFAULT_ISA.equals(isa);
    }

    /** The environment a process needs, before libtorch loads, to run with these settings. */
    public Map<String, String> environment() {
        return defaultIsa() ? Map.of() : Map.of(ISA_VARIABLE, isa);
    }

    /**
     * Whether a process whose ISA cap is {@code currentIsa} can switch to these settings without a
     * restart.
     */
    public boolean reachableFrom(String currentIsa) {
        return isa.equalsIgnoreCase(currentIsa == null ? DEFAULT_ISA : currentIsa);
    }

    /** One phrase for logs: {@code oneDNN AVX2, channels padded to 16}. */
    public String label() {
        if (!onednn) {
            return "oneDNN off for convolutions (ATen kernels)";
        }
        String cap = defaultIsa() ? "oneDNN default ISA" : "oneDNN " + isa.toUpperCase(Locale.ROOT);
        return cap + (padTo > 0 ? ", channels padded to " + padTo : "");
    }
}
