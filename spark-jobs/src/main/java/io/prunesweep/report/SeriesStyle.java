package io.prunesweep.report;

import io.prunesweep.prune.ImportanceRegistry;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.List;

/**
 * Colours and markers that make a (method, λ) series readable among twenty: the hue and marker say
 * the method, the shade says λ (light = no sparse stage, dark = the strongest λ of the sweep).
 */
final class SeriesStyle {
    private SeriesStyle() {}

    private static final Color[] HUES = {
        new Color(0x15, 0x65, 0xC0),
        new Color(0xE6, 0x51, 0x00),
        new Color(0x2E, 0x7D, 0x32),
        new Color(0x61, 0x61, 0x61),
        new Color(0x6A, 0x1B, 0x9A),
        new Color(0x8D, 0x6E, 0x63)
    };

    /**
     * The method's hue, lighter for weaker λ: {@code lambdaRank} of {@code lambdaCount} (0 =
     * weakest).
     */
    static Color colour(String method, int lambdaRank, int lambdaCount) {
        Color hue = HUES[methodIndex(method) % HUES.length];
        // Mix with white: up to 60 % white for the weakest λ, the pure hue for the strongest.
        double white =
                lambdaCount <= 1 ? 0 : 0.6 * (lambdaCount - 1 - lambdaRank) / (lambdaCount - 1);
        return new Color(
                mix(hue.getRed(), white), mix(hue.getGreen(), white), mix(hue.getBlue(), white));
    }

    static Shape marker(String method) {
        double s = 4.5;
        return switch (methodIndex(method) % 4) {
            case 0 -> new Ellipse2D.Double(-s, -s, 2 * s, 2 * s);
            case 1 -> new Rectangle2D.Double(-s, -s, 2 * s, 2 * s);
            case 2 -> triangle(s + 1);
            default -> diamond(s + 1);
        };
    }

    private static int methodIndex(String method) {
        // the registry's order: built-ins first, so their colours never move when a criterion is
        // added
        List<String> methods = ImportanceRegistry.ids();
        int i = methods.indexOf(method);
        // Methods this JVM has not registered (a table from another build) still get a stable,
        // distinct style.
        return i >= 0 ? i : methods.size() + Math.floorMod(String.valueOf(method).hashCode(), 2);
    }

    private static int mix(int channel, double white) {
        return (int) Math.round(channel * (1 - white) + 255 * white);
    }

    private static Shape triangle(double s) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(0, -s);
        p.lineTo(s, s);
        p.lineTo(-s, s);
        p.closePath();
        return p;
    }

    private static Shape diamond(double s) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(0, -s);
        p.lineTo(s, 0);
        p.lineTo(0, s);
        p.lineTo(-s, 0);
        p.closePath();
        return p;
    }
}
