package io.prunesweep.data;

/** Loads OpenCV's bundled native library once per JVM, before the first Mat is touched. */
public final class OpenCvNatives {
    private static volatile boolean loaded;

    private OpenCvNatives() {}

    public static void load() {
        if (!loaded) {
            synchronized (OpenCvNatives.class) {
                if (!loaded) {
                    nu.pattern.OpenCV.loadLocally();
                    loaded = true;
                }
            }
        }
    }
}
