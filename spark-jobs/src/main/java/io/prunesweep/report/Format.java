package io.prunesweep.report;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Number formats of the report, fixed to the ROOT locale so a page reads the same on every machine.
 */
final class Format {
    private Format() {}

    static final String MISSING = "–";

    /** Settings such as λ and ratio as written in the sweep YAML: {@code 0.001}, {@code 0.4}. */
    static String number(Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) {
            return v == null ? MISSING : v.toString();
        }
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    /** Parameter counts: {@code 3.16 M}, {@code 812 k}, {@code 950}. */
    static String count(Double v) {
        if (v == null || v.isNaN()) {
            return MISSING;
        }
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.3g M", v / 1e6);
        }
        if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.3g k", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String fixed(Double v, int decimals) {
        return v == null || v.isNaN()
                ? MISSING
                : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A signed difference, e.g. {@code -0.0042}. */
    static String signed(Double v, int decimals) {
        return v == null || v.isNaN()
                ? MISSING
                : String.format(Locale.ROOT, "%+." + decimals + "f", v);
    }

    static String percent(Double fraction) {
        return fraction == null || fraction.isNaN()
                ? MISSING
                : String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
    }

    /** Seconds as {@code 2 h 05 min}, {@code 3 min 12 s} or {@code 4.2 s}. */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%.1f s", seconds);
    }
}
