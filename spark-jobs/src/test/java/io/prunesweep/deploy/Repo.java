package io.prunesweep.deploy;

import io.prunesweep.sweep.SweepJob;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Where the repository's files are, seen from a test (Surefire runs in spark-jobs/). */
public final class Repo {
    private Repo() {}

    /**
     * The repository root: the nearest directory up from the working directory holding deploy/ and
     * spark-jobs/.
     */
    public static Path root() {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("deploy"))
                    && Files.isDirectory(d.resolve("spark-jobs"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root above " + dir);
    }

    public static Path file(String relative) {
        return root().resolve(relative);
    }

    /** Every regular file under a repository directory, sorted. */
    public static List<Path> filesUnder(String relativeDir) throws IOException {
        try (Stream<Path> files = Files.walk(file(relativeDir))) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * A thin application jar: the spark-jobs main classes only, as spark-submit's primary resource.
     * The rest (engine, Spark, the test ToyStageExecutor) comes from the launcher classpath, as
     * Spark comes from the cluster in production.
     */
    public static Path thinAppJar(Path dir) {
        try {
            Path classes =
                    Paths.get(
                            SweepJob.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            Path jar = dir.resolve("prunesweep-spark-jobs-test-app.jar");
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, SweepJob.class.getName());
            try (OutputStream out = Files.newOutputStream(jar);
                    JarOutputStream jos = new JarOutputStream(out, manifest);
                    Stream<Path> files = Files.walk(classes)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    jos.putNextEntry(
                            new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, jos);
                    jos.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
