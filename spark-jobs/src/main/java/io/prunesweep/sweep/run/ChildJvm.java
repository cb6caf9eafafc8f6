package io.prunesweep.sweep.run;

import java.io.File;
import java.io.Serializable;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How to start the child JVM that runs one stage. Serializable: built on the driver from the sweep
 * YAML, shipped to tasks; the java binary and classpath are resolved on the executor (see {@link
 * #classpath()}).
 *
 * @param heap -Xmx value, e.g. "2g"
 * @param threads intra-op threads (-Dai.djl.pytorch.num_threads, OMP/MKL_NUM_THREADS)
 * @param timeout a stage running longer is killed and recorded as failed
 * @param javaOptions extra JVM flags (after the defaults, so they win)
 */
public record ChildJvm(String heap, int threads, Duration timeout, List<String> javaOptions)
        implements Serializable {

    /**
     * Java 17 module flags that Spark/Netty/DJL need: Spark's own list (see {@link
     * JvmModuleOptions}).
     */
    static final List<String> OPENS = JvmModuleOptions.all();

    public ChildJvm {
        javaOptions = List.copyOf(javaOptions);
    }

    public static String javaBinary() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The classpath of this JVM as the child needs it: {@code java.class.path} plus every jar or
     * directory of the context class loader chain (a Spark executor loads the application jar
     * through its own URLClassLoader, which {@code java.class.path} does not show).
     */
    public static String classpath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(e);
            }
        }
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        while (cl != null) {
            if (cl instanceof URLClassLoader ucl) {
                for (URL url : ucl.getURLs()) {
                    if ("file".equals(url.getProtocol())) {
                        try {
                            entries.add(Paths.get(url.toURI()).toString());
                        } catch (Exception ignored) {
                            // not a plain file URL; the child cannot use it anyway
                        }
                    }
                }
            }
            cl = cl.getParent();
        }
        return String.join(File.pathSeparator, entries);
    }
}
