package io.prunesweep.sweep.plan;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic ids: a prefix plus the first 10 hex digits of SHA-256 over the settings, so a
 * re-run of the same sweep (or a sweep sharing a seed's dense settings) finds the same stage
 * directories.
 */
public final class PointIds {
    private PointIds() {}

    public static String of(String prefix, Object... parts) {
        StringBuilder canonical = new StringBuilder();
        for (Object p : parts) {
            canonical.append(canonical(p)).append('\u001f');
        }
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return prefix + HexFormat.of().formatHex(hash).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 0.2, 0.20 and 2e-1 hash the same; null is distinct from "". */
    static String canonical(Object p) {
        if (p == null) {
            return "\u0000";
        }
        if (p instanceof Double || p instanceof Float) {
            return BigDecimal.valueOf(((Number) p).doubleValue())
                    .stripTrailingZeros()
                    .toPlainString();
        }
        return p.toString();
    }
}
