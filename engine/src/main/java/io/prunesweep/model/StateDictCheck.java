package io.prunesweep.model;

import ai.djl.ndarray.types.Shape;
import io.prunesweep.io.SafeTensors.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Compares a state dict with what a graph expects: missing, unexpected and wrongly shaped keys.
 * PyTorch's {@code num_batches_tracked} counters are ignored (our BatchNorm uses a fixed momentum).
 */
public record StateDictCheck(
        List<String> missing, List<String> unexpected, List<String> wrongShape) {

    public static StateDictCheck compare(Map<String, Shape> expected, Map<String, Tensor> given) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Tensor t = given.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(t.shape(), e.getValue().getShape())) {
                wrong.add(
                        e.getKey()
                                + " "
                                + Arrays.toString(t.shape())
                                + " (expected "
                                + Arrays.toString(e.getValue().getShape())
                                + ")");
            }
        }
        for (String k : given.keySet()) {
            if (!expected.containsKey(k) && !k.endsWith("num_batches_tracked")) {
                unexpected.add(k);
            }
        }
        return new StateDictCheck(missing, unexpected, wrong);
    }

    public boolean ok() {
        return missing.isEmpty() && unexpected.isEmpty() && wrongShape.isEmpty();
    }

    /** One paragraph for an error message: counts and the first few keys of each kind. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        part(b, "missing", missing);
        part(b, "unexpected", unexpected);
        part(b, "wrong shape", wrongShape);
        return b.toString();
    }

    private static void part(StringBuilder b, String what, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        if (b.length() > 0) {
            b.append("; ");
        }
        b.append(keys.size()).append(' ').append(what).append(": ");
        b.append(String.join(", ", keys.subList(0, Math.min(8, keys.size()))));
        if (keys.size() > 8) {
            b.append(", ...");
        }
    }
}
