package io.prunesweep.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Recycled direct buffers for batch pixels. A 640 px batch of 16 is 79 MB of native memory that
 * Java frees only when a garbage collection happens to find the buffer unreachable; with little
 * heap garbage that is rare, and stale batches piled up to the direct-memory limit (RSS +1.4 GB in
 * a few iterations). Batches hand their buffer back here once their tensor is done ({@link
 * Batch#release()}), so a run holds about {@code capacity} buffers.
 */
final class PixelBuffers {
    private final ArrayBlockingQueue<ByteBuffer> free;

    PixelBuffers(int capacity) {
        this.free = new ArrayBlockingQueue<>(Math.max(1, capacity));
    }

    /**
     * A native-order direct buffer of exactly {@code bytes} (reused when one of that size is free).
     */
    ByteBuffer take(int bytes) {
        ByteBuffer b = free.poll();
        if (b != null && b.capacity() == bytes) {
            return b.clear();
        }
        return ByteBuffer.allocateDirect(bytes)
                .order(ByteOrder.nativeOrder()); // a wrong-sized one is dropped
    }

    /** Keeps {@code b} for reuse (or drops it when enough are kept). */
    void give(ByteBuffer b) {
        free.offer(b);
    }
}
