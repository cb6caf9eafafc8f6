package io.prunesweep.model;

import java.util.Arrays;

/**
 * A tensor of a layer that belongs to no conv: a learned gate or scale weight (MCA's pooling
 * weights and 1-D gate convs), or a buffer such as the anchors of YOLOv5's head. It is named within
 * its layer like the rest of the state dict ({@code model.N.<name>}). Pruning never changes it, so
 * its shape must not depend on a prunable width.
 *
 * @param shape its dimensions
 * @param buffer a buffer (not a parameter): not trained and not counted in the parameter total, as
 *     PyTorch's registered buffers
 */
public record TensorSpec(int[] shape, boolean buffer) {

    public TensorSpec {
        shape = shape.clone();
    }

    public static TensorSpec parameter(int... shape) {
        return new TensorSpec(shape, false);
    }

    public static TensorSpec buffer(int... shape) {
        return new TensorSpec(shape, true);
    }

    public long size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * Elements counted as parameters (ultralytics counts {@code model.parameters()}, not buffers).
     */
    public long parameterCount() {
        return buffer ? 0 : size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.buffer == buffer && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + (buffer ? 1 : 0);
    }

    @Override
    public String toString() {
        return (buffer ? "buffer" : "parameter") + Arrays.toString(shape);
    }
}
