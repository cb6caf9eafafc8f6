package io.prunesweep.data;

import java.util.SplittableRandom;

/**
 * Derives independent random streams from (seed, epoch, index, ...) so a sample's augmentation
 * depends only on those numbers, never on which worker thread computed it or in what order.
 */
final class Seeds {
    private Seeds() {}

    /** A SplitMix64 finalizer chained over every part: well mixed, cheap and stable across JVMs. */
    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = finalizeMix(h ^ finalizeMix(p + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    static SplittableRandom random(long... parts) {
        return new SplittableRandom(mix(parts));
    }

    /** Python's {@code random.uniform(a, b)}: {@code a + (b - a) * random()}. */
    static double uniform(SplittableRandom rng, double a, double b) {
        return a + (b - a) * rng.nextDouble();
    }

    private static long finalizeMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
