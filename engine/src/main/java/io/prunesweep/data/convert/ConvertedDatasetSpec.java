package io.prunesweep.data.convert;

import io.prunesweep.InputException;
import io.prunesweep.data.DataCache;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A dataset named by its source format instead of a {@code data.yaml}: {@code coco:<uri>}, {@code
 * voc:<uri>} or {@code kitti:<uri>} ({@code uri} any Hadoop path or URI, as {@code data convert
 * --src} takes it), converted with the defaults of {@link ConvertOptions#defaults}.
 *
 * <p>The conversion runs once per machine into a cache folder named after the spec (as the {@code
 * shapes:} sets do): a private folder renamed into place, so parallel stage JVMs of a sweep never
 * see half a dataset and re-runs reuse it. A changed source is not noticed: delete the cache folder
 * (its path is printed) to convert again.
 */
public record ConvertedDatasetSpec(ConvertOptions.Format format, String source) {
    public static final java.util.List<String> PREFIXES =
            java.util.List.of("coco:", "voc:", "kitti:");

    public static boolean isSpec(String dataset) {
        return dataset != null && PREFIXES.stream().anyMatch(dataset::startsWith);
    }

    public static ConvertedDatasetSpec parse(String spec) {
        if (!isSpec(spec)) {
            throw new InputException(
                    spec + ": not a dataset to convert (coco:<uri>, voc:<uri> or kitti:<uri>)");
        }
        int colon = spec.indexOf(':');
        String source = spec.substring(colon + 1).strip();
        if (source.isEmpty()) {
            throw new InputException(
                    spec
                            + ": name the source after the prefix, e.g. "
                            + spec.substring(0, colon)
                            + ":/data/"
                            + spec.substring(0, colon));
        }
        return new ConvertedDatasetSpec(
                ConvertOptions.Format.parse(spec.substring(0, colon)), source);
    }

    /** The cache folder of this spec under {@code cacheRoot}. */
    public Path cacheDir(Path cacheRoot) {
        try {
            byte[] h =
                    MessageDigest.getInstance("SHA-256")
                            .digest(
                                    (format + "|" + FileSystems.path(source))
                                            .getBytes(StandardCharsets.UTF_8));
            return cacheRoot.resolve(format.lower() + "-" + HexFormat.of().formatHex(h, 0, 6));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Converts the source into {@code cacheRoot} unless done before; returns the converted {@code
     * data.yaml}.
     */
    public Path materialize(Path cacheRoot, java.io.PrintStream log) {
        Path dir = cacheDir(cacheRoot);
        Path yaml = dir.resolve("data.yaml");
        if (Files.exists(yaml)) {
            log.println("data: " + format.lower() + ":" + source + " already converted in " + dir);
            return yaml;
        }
        Path tmp = null;
        try {
            Files.createDirectories(cacheRoot);
            tmp = Files.createTempDirectory(cacheRoot, "." + dir.getFileName() + "-");
            DatasetConverter.Result r =
                    DatasetConverter.convert(
                            ConvertOptions.defaults(format, source, tmp.toUri().toString()),
                            FileSystems.conf());
            log.println(
                    String.format(
                            Locale.ROOT,
                            "data: converted %s:%s into %s (%d classes: %s)",
                            format.lower(),
                            source,
                            dir,
                            r.names().size(),
                            String.join(", ", r.names())));
            r.report().lines().forEach(l -> log.println("data: " + l));
            DataCache.publish(tmp, dir);
            return yaml;
        } catch (IOException e) {
            throw new InputException(
                    "cannot convert "
                            + format.lower()
                            + ":"
                            + source
                            + " into "
                            + cacheRoot
                            + ": "
                            + e.getMessage()
                            + " (set -Dprunesweep.dataCache to a writable folder)",
                    e);
        } catch (RuntimeException e) {
            if (tmp != null) {
                try {
                    DataCache.deleteTree(tmp);
                } catch (IOException ignored) {
                    // the conversion's failure is what matters
                }
            }
            throw e;
        }
    }
}
