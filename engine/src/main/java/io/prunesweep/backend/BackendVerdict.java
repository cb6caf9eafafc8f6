package io.prunesweep.backend;

import java.util.List;

/**
 * The outcome of checking the ladder on one host: what was tried, in order, and the first setting
 * that computed every convolution correctly ({@code chosen}, null when none did).
 */
public record BackendVerdict(
        HostFingerprint host,
        BackendSettings chosen,
        List<Attempt> tried,
        String checkedAt,
        long probeMillis,
        String onednnIsa) {

    /** One rung of the ladder as a probe process checked it. */
    public record Attempt(BackendSettings settings, boolean passed, String summary, long millis) {}

    public boolean usable() {
        return chosen != null;
    }

    /**
     * {@code default ISA wrong (12 of 540 ...); chose oneDNN default ISA, channels padded to 16}
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Attempt a : tried) {
            if (a.passed()) {
                break;
            }
            sb.append(a.settings().label()).append(": ").append(a.summary()).append("; ");
        }
        if (chosen == null) {
            return sb + "nothing on the ladder passed";
        }
        return sb + "chose " + chosen.label();
    }
}
