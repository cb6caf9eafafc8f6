package io.prunesweep.data;

import io.prunesweep.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A dataset named by a spec instead of a file: {@code
 * shapes:train=64,val=16[,imgsz=160][,seed=0][,classes=3]}, the synthetic shapes set ({@link
 * SyntheticShapes}). Sweeps use it so a quickstart needs no data download.
 *
 * <p>The set is generated once per machine into a cache folder named after the spec, so the
 * parallel stage JVMs of a sweep share it; generation goes to a private folder that is renamed into
 * place, so two JVMs racing never see a half-written set.
 *
 * @param imgsz image long side; 0 = the stage's training size
 */
public record SyntheticDatasetSpec(int train, int val, int imgsz, long seed) {
    public static final String SCHEME = "shapes:";

    public static boolean isSpec(String dataset) {
        return dataset != null && dataset.startsWith(SCHEME);
    }

    /** Parses a spec; unknown keys or bad numbers are one clear {@link InputException}. */
    public static SyntheticDatasetSpec parse(String spec) {
        if (!isSpec(spec)) {
            throw new InputException(
                    spec + ": not a synthetic dataset spec (shapes:train=N,val=M)");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        String body = spec.substring(SCHEME.length()).strip();
        if (!body.isEmpty()) {
            for (String part : body.split(",")) {
                String[] p = part.split("=", 2);
                if (p.length != 2) {
                    throw new InputException(spec + ": '" + part + "' is not key=value");
                }
                kv.put(p[0].strip(), p[1].strip());
            }
        }
        int train = intValue(spec, kv, "train", 64);
        int val = intValue(spec, kv, "val", 16);
        int imgsz = intValue(spec, kv, "imgsz", 0);
        long seed = intValue(spec, kv, "seed", 0);
        int classes = intValue(spec, kv, "classes", SyntheticShapes.NAMES.size());
        if (classes != SyntheticShapes.NAMES.size()) {
            throw new InputException(
                    spec
                            + ": the shapes set has exactly "
                            + SyntheticShapes.NAMES.size()
                            + " classes "
                            + SyntheticShapes.NAMES
                            + ", not "
                            + classes);
        }
        if (!kv.isEmpty()) {
            throw new InputException(
                    spec
                            + ": unknown key(s) "
                            + kv.keySet()
                            + "; known: train, val, imgsz, seed, classes");
        }
        if (train < 1 || val < 1) {
            throw new InputException(spec + ": need train >= 1 and val >= 1");
        }
        if (imgsz != 0 && imgsz < 32) {
            throw new InputException(spec + ": imgsz must be at least 32");
        }
        return new SyntheticDatasetSpec(train, val, imgsz, seed);
    }

    private static int intValue(String spec, Map<String, String> kv, String key, int dflt) {
        String v = kv.remove(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new InputException(spec + ": " + key + "=" + v + " is not a whole number");
        }
    }

    /** Generates the set under {@code cacheRoot} unless present; returns its {@code data.yaml}. */
    public Path materialize(Path cacheRoot, int defaultImgsz) {
        int size = imgsz > 0 ? imgsz : defaultImgsz;
        String name =
                String.format(Locale.ROOT, "shapes-t%d-v%d-s%d-seed%d", train, val, size, seed);
        Path dir = cacheRoot.resolve(name);
        Path yaml = dir.resolve("data.yaml");
        if (Files.exists(yaml)) {
            return yaml;
        }
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, "." + name + "-");
            SyntheticShapes.write(
                    new org.apache.hadoop.fs.Path(tmp.toUri()),
                    new SyntheticShapes.Options(train, val, size, seed, ".jpg"),
                    new Configuration());
            DataCache.publish(tmp, dir);
            return yaml;
        } catch (IOException e) {
            throw new InputException(
                    "cannot generate the synthetic dataset in "
                            + cacheRoot
                            + ": "
                            + e.getMessage()
                            + " (set -Dprunesweep.dataCache to a writable folder)",
                    e);
        }
    }

    /** Where generated sets live: {@link DataCache#root()}. */
    public static Path defaultCacheRoot() {
        return DataCache.root();
    }
}
