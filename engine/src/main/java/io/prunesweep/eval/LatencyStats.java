package io.prunesweep.eval;

import java.util.Arrays;
import java.util.List;

/**
 * Summary of timed runs (one run = one batch through the model): median and 95th percentile in
 * milliseconds (NumPy's default linear interpolation between order statistics), mean, and
 * throughput in images per second.
 *
 * @param runs number of timed runs
 * @param batchSize images per run
 * @param p50Ms median run time
 * @param p95Ms 95th percentile run time
 * @param meanMs mean run time
 * @param fps images per second: {@code batchSize / mean run time}
 */
public record LatencyStats(
        int runs, int batchSize, double p50Ms, double p95Ms, double meanMs, double fps) {

    /** Summarizes per-run durations in nanoseconds. */
    public static LatencyStats of(long[] durationsNs, int batchSize) {
        if (durationsNs.length == 0) {
            throw new IllegalArgumentException("latency needs at least one timed run");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        long[] sorted = durationsNs.clone();
        Arrays.sort(sorted);
        if (sorted[0] < 0) {
            throw new IllegalArgumentException(
                    "a run lasted " + sorted[0] + " ns; durations cannot be negative");
        }
        double sum = 0;
        for (long d : sorted) {
            sum += d;
        }
        double meanNs = sum / sorted.length;
        double fps = meanNs > 0 ? batchSize * 1e9 / meanNs : Double.POSITIVE_INFINITY;
        return new LatencyStats(
                sorted.length,
                batchSize,
                percentile(sorted, 50) / 1e6,
                percentile(sorted, 95) / 1e6,
                meanNs / 1e6,
                fps);
    }

    public static LatencyStats of(List<Long> durationsNs, int batchSize) {
        return of(durationsNs.stream().mapToLong(Long::longValue).toArray(), batchSize);
    }

    /** {@code np.percentile(a, q)} (method "linear") of an ascending array. */
    static double percentile(long[] sorted, double q) {
        double rank = q / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = rank - lo;
        return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
    }
}
