package io.prunesweep.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {
    private static final long MS = 1_000_000L;

    @Test
    void percentilesMeanAndFps() {
        // unsorted on purpose; numpy: percentile([10..50], 95) = 40 + 0.8 * 10 = 48
        LatencyStats s =
                LatencyStats.of(new long[] {50 * MS, 10 * MS, 30 * MS, 20 * MS, 40 * MS}, 4);
        assertEquals(5, s.runs());
        assertEquals(30.0, s.p50Ms(), 1e-9);
        assertEquals(48.0, s.p95Ms(), 1e-9);
        assertEquals(30.0, s.meanMs(), 1e-9);
        assertEquals(4 / 0.030, s.fps(), 1e-9);
    }

    @Test
    void evenCountMedianInterpolates() {
        LatencyStats s = LatencyStats.of(List.of(2 * MS, 4 * MS, 6 * MS, 100 * MS), 1);
        assertEquals(5.0, s.p50Ms(), 1e-9);
        assertEquals(6 + 0.85 * 94, s.p95Ms(), 1e-9);
        assertEquals(28.0, s.meanMs(), 1e-9);
        assertEquals(1000.0 / 28, s.fps(), 1e-9);
    }

    @Test
    void singleRun() {
        LatencyStats s = LatencyStats.of(new long[] {8 * MS}, 16);
        assertEquals(8.0, s.p50Ms(), 1e-9);
        assertEquals(8.0, s.p95Ms(), 1e-9);
        assertEquals(2000.0, s.fps(), 1e-9);
    }

    @Test
    void rejectsNoRunsOrBadBatch() {
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(new long[0], 1));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(new long[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.of(new long[] {-1}, 1));
    }
}
