package io.prunesweep.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.SplittableRandom;

/**
 * PyTorch's default conv initialisation (uniform in +-1/sqrt(fan_in) for weight and bias) drawn
 * from a Java RNG seeded per parameter, so a model's initial weights depend only on (seed,
 * parameter name), on every device.
 */
public final class SeededInitializer implements Initializer {
    private final long seed;
    private final double bound;
    private final Float constant;

    private SeededInitializer(long seed, double bound, Float constant) {
        this.seed = seed;
        this.bound = bound;
        this.constant = constant;
    }

    public static SeededInitializer uniform(long modelSeed, String name, int fanIn) {
        return new SeededInitializer(
                modelSeed * 0x9E3779B97F4A7C15L ^ name.hashCode(), 1.0 / Math.sqrt(fanIn), null);
    }

    public static SeededInitializer constant(float value) {
        return new SeededInitializer(0, 0, value);
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        int n = (int) shape.size();
        float[] v = new float[n];
        if (constant != null) {
            java.util.Arrays.fill(v, constant);
        } else {
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < n; i++) {
                v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
            }
        }
        return manager.create(v, shape).toType(dataType, false);
    }
}
