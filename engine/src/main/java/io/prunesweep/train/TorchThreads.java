package io.prunesweep.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's intra-op thread count. DJL only reads {@code ai.djl.pytorch.num_threads} when the
 * engine starts; a trainer sets its own count at run time, so a sweep point given N cores uses N
 * threads whatever the JVM was started with. (Inter-op threads cannot change once libtorch has run
 * anything; training does not use them.)
 */
public final class TorchThreads {
    private TorchThreads() {}

    /**
     * Sets the intra-op threads when the engine is PyTorch and the count differs; returns the count
     * in use.
     */
    public static int use(int threads) {
        if (!"PyTorch".equals(Engine.getInstance().getEngineName())) {
            return threads;
        }
        if (JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
        return JniUtils.getNumThreads();
    }
}
