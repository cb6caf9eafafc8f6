package io.prunesweep.io.onnx;

/**
 * One dimension of a graph input/output shape: a fixed size or a named symbol (e.g. a dynamic
 * "batch"). Exactly one of the two is set.
 */
public record Dim(long value, String symbol) {
    public Dim {
        if (symbol == null && value < 0) {
            throw new IllegalArgumentException("a fixed ONNX dimension must be >= 0, got " + value);
        }
        if (symbol != null && symbol.isEmpty()) {
            throw new IllegalArgumentException("a symbolic ONNX dimension needs a non-empty name");
        }
    }

    public static Dim of(long value) {
        return new Dim(value, null);
    }

    public static Dim symbolic(String symbol) {
        return new Dim(-1, symbol);
    }

    public boolean isSymbolic() {
        return symbol != null;
    }

    @Override
    public String toString() {
        return isSymbolic() ? symbol : Long.toString(value);
    }
}
