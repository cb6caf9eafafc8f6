package io.prunesweep.sweep.run;

import java.util.List;

/**
 * Lines a stage JVM prints that say nothing about the run, dropped where its stderr is relayed into
 * the task log (a CI log once held 18,773 NNPACK lines). Everything else, libtorch's real warnings
 * included, is relayed.
 *
 * <ul>
 *   <li>{@code Warning: AutoNonVariableTypeMode is deprecated ...}: a C++ {@code TORCH_WARN_ONCE}
 *       from libtorch's dispatcher, raised by DJL's JNI code which still uses that guard; nothing a
 *       user can act on.
 *   <li>{@code Could not initialize NNPACK! Reason: Unsupported hardware.}: libtorch's {@code
 *       init_nnpack()} logs it ({@code LOG(WARNING)}) where the CPU lacks what NNPACK needs;
 *       convolutions then take the default (oneDNN) path, which is what runs anyway. Both go
 *       through c10 logging: {@code TORCH_CPP_LOG_LEVEL=ERROR} would hide them, but with them every
 *       real libtorch warning, so the known lines are filtered instead.
 *   <li>DJL's {@code CudaUtils: Failed to detect GPU count}: on a CPU stage only (on a GPU stage it
 *       is the reason a GPU was not found).
 * </ul>
 */
final class KnownNoise {
    private static final List<String> LIBTORCH =
            List.of(
                    "Warning: AutoNonVariableTypeMode is deprecated",
                    "Could not initialize NNPACK! Reason: Unsupported hardware");
    private static final String NO_GPU = "CudaUtils: Failed to detect GPU count";

    private KnownNoise() {}

    /** True for a known harmless line of a stage on a CPU ({@code gpu} false) or a GPU. */
    static boolean harmless(String line, boolean gpu) {
        for (String s : LIBTORCH) {
            if (line.contains(s)) {
                return true;
            }
        }
        return !gpu && line.contains(NO_GPU);
    }
}
