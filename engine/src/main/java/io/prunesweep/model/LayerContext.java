package io.prunesweep.model;

import io.prunesweep.InputException;
import java.util.List;

/**
 * What a module type needs to define one layer: the YAML row after depth scaling and the channels
 * of its inputs, with ultralytics' width rule at hand.
 */
public record LayerContext(
        int index,
        int[] from,
        int repeats,
        List<Object> args,
        int[] inChannels,
        int[] inStrides,
        Scale scale,
        String scaleName,
        int nc,
        String source) {

    public int c1() {
        return inChannels[0];
    }

    /**
     * Ultralytics: {@code c2 = make_divisible(min(c2, max_channels) * width, 8)} unless {@code c2
     * == nc}.
     */
    public int scaledWidth(int c2) {
        if (c2 == nc) {
            return c2;
        }
        return makeDivisible(Math.min(c2, scale.maxChannels()) * scale.width(), 8);
    }

    public static int makeDivisible(double x, int divisor) {
        return (int) (Math.ceil(x / divisor) * divisor);
    }

    public Object arg(int i) {
        return i < args.size() ? args.get(i) : null;
    }

    public int intArg(int i, int def) {
        Object a = arg(i);
        if (a == null) {
            return def;
        }
        if (a instanceof Number n) {
            return n.intValue();
        }
        throw fail("argument " + i + " must be a number, got '" + a + "'");
    }

    public Integer optIntArg(int i) {
        Object a = arg(i);
        if (a == null) {
            return null;
        }
        return intArg(i, 0);
    }

    public boolean boolArg(int i, boolean def) {
        Object a = arg(i);
        if (a == null) {
            return def;
        }
        if (a instanceof Boolean b) {
            return b;
        }
        throw fail("argument " + i + " must be True/False, got '" + a + "'");
    }

    public double doubleArg(int i, double def) {
        Object a = arg(i);
        if (a == null) {
            return def;
        }
        if (a instanceof Number n) {
            return n.doubleValue();
        }
        throw fail("argument " + i + " must be a number, got '" + a + "'");
    }

    public InputException fail(String problem) {
        return new InputException(source + ": layer " + index + ": " + problem);
    }
}
