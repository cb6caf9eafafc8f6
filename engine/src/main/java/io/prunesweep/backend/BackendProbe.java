package io.prunesweep.backend;

import java.util.ArrayList;
import java.util.List;

/**
 * A fresh JVM that checks consecutive rungs of the ladder sharing one oneDNN ISA (set by the parent
 * in this process's environment before libtorch loads), stops at the first that passes, and prints
 * the attempts as one {@code @@backend-probe [json]} line. Run by {@link BackendGuard}; a crash
 * here costs the probe, not the caller.
 */
public final class BackendProbe {
    static final String PREFIX = "@@backend-probe ";

    private BackendProbe() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        int repeats = Integer.parseInt(System.getProperty("prunesweep.backend.repeats", "3"));
        List<BackendVerdict.Attempt> attempts = new ArrayList<>();
        for (String arg : args) {
            BackendSettings s = BackendSettings.LADDER.get(Integer.parseInt(arg));
            BackendVerdict.Attempt a = BackendGuard.attempt(s, false, repeats);
            attempts.add(a);
            if (a.passed()) {
                break;
            }
        }
        System.out.println(
                PREFIX
                        + VerdictCache.JSON
                                .writer()
                                .without(
                                        com.fasterxml.jackson.databind.SerializationFeature
                                                .INDENT_OUTPUT)
                                .writeValueAsString(attempts));
        System.out.flush();
        System.exit(0);
    }
}
