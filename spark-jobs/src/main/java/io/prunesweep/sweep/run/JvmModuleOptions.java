package io.prunesweep.sweep.run;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * The Java 17+ module flags ({@code --add-opens}, ...) of every JVM this project starts: Spark's
 * own list ({@link JavaModuleOptions#defaultModuleOptionArray()}, what {@code spark-submit} adds),
 * so it moves with the Spark version. Stage JVMs take it from here; the places that cannot call
 * Java (the parent POM's {@code jvm.opens} for the tests, the {@code prunesweep} launcher, {@code
 * deploy/lib/submit-common.sh}) spell it out, and {@code JvmModuleOptionsTest} fails when one of
 * them differs.
 */
public final class JvmModuleOptions {
    /**
     * Left out of Spark's list: the engine does not use the Vector API, and the flag makes every
     * JVM print "WARNING: Using incubator modules" into its log.
     */
    static final String INCUBATOR_VECTOR = "--add-modules=jdk.incubator.vector";

    private JvmModuleOptions() {}

    /** Spark's module options, in Spark's order, without {@link #INCUBATOR_VECTOR}. */
    public static List<String> all() {
        return Arrays.stream(JavaModuleOptions.defaultModuleOptionArray())
                .filter(o -> !o.equals(INCUBATOR_VECTOR))
                .toList();
    }
}
