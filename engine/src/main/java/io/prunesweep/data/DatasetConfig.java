package io.prunesweep.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prunesweep.InputException;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * An ultralytics detection dataset YAML ({@code data.yaml}): {@code path}, {@code train}, {@code
 * val} and {@code names} (a list, or an {@code {id: name}} map). {@code train}/{@code val} are
 * image folders, {@code .txt} lists of images or lists of those, relative to {@code path} unless
 * absolute or URIs.
 *
 * <p>Where {@code path} is missing it is the YAML's own folder (as in ultralytics); a relative
 * {@code path} is resolved against the YAML's folder (ultralytics uses its global DATASETS_DIR
 * instead) so a dataset copied to HDFS or S3 together with its YAML keeps working.
 *
 * @param source the YAML file read
 * @param root the resolved {@code path}
 * @param train resolved train sources
 * @param val resolved val sources (may be empty)
 * @param names class names by id
 */
public record DatasetConfig(
        Path source, Path root, List<Path> train, List<Path> val, List<String> names) {

    public DatasetConfig {
        train = List.copyOf(train);
        val = List.copyOf(val);
        names = List.copyOf(names);
    }

    /** Number of classes. */
    public int nc() {
        return names.size();
    }

    public List<Path> split(String split) {
        return switch (split) {
            case "train" -> train;
            case "val" -> val;
            default -> throw new InputException("unknown split '" + split + "': use train or val");
        };
    }

    public static DatasetConfig load(String yaml, Configuration conf) {
        return load(new Path(yaml), conf);
    }

    public static DatasetConfig load(Path yaml, Configuration conf) {
        Path qualified = FileSystems.fs(yaml, conf).makeQualified(yaml);
        String scheme = qualified.toUri().getScheme();
        if (scheme != null && !scheme.equals("file")) {
            // a remote store is probed once with short timeouts: an unreachable endpoint is one
            // line now, not minutes
            // of S3A retries in the first read
            try {
                io.prunesweep.io.StorageProbe.check(
                        qualified.toString(), conf, (fs, p) -> fs.getFileStatus(p));
            } catch (io.prunesweep.io.StorageProbe.Failure e) {
                throw new InputException(
                        yaml + ": cannot read the dataset YAML: " + e.getMessage(), e);
            }
        }
        String text;
        try {
            text = FileSystems.readText(qualified, conf);
        } catch (IOException e) {
            throw new InputException(
                    yaml
                            + ": cannot read the dataset YAML ("
                            + e.getMessage()
                            + "); pass an existing data.yaml",
                    e);
        }
        return parse(qualified, text);
    }

    static DatasetConfig parse(Path source, String text) {
        JsonNode node;
        try {
            node = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (IOException e) {
            throw new InputException(
                    source + ": not valid YAML: " + io.prunesweep.io.YamlErrors.describe(e), e);
        }
        if (node == null || !node.isObject()) {
            throw new InputException(
                    source + ": the dataset YAML must be a mapping with train, val and names");
        }
        Path dir = source.getParent();
        Path root = dir;
        JsonNode path = node.get("path");
        if (path != null && !path.isNull() && !path.asText().isBlank()) {
            Path p = new Path(path.asText());
            root = isAbsolute(p) ? p : new Path(dir, path.asText());
        }
        List<Path> train = sources(node.get("train"), root);
        if (train.isEmpty()) {
            throw new InputException(
                    source + ": no `train` entry; give a folder or .txt list of training images");
        }
        List<Path> val = sources(node.get("val"), root);
        List<String> names = names(node.get("names"), source);
        JsonNode nc = node.get("nc");
        if (nc != null && nc.isInt() && nc.asInt() != names.size()) {
            throw new InputException(
                    source
                            + ": nc is "
                            + nc.asInt()
                            + " but names lists "
                            + names.size()
                            + " classes; make them agree (or drop nc)");
        }
        return new DatasetConfig(source, root, train, val, names);
    }

    private static boolean isAbsolute(Path p) {
        return p.isAbsolute() || p.toUri().getScheme() != null;
    }

    private static List<Path> sources(JsonNode node, Path root) {
        List<Path> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isArray()) {
            node.forEach(n -> out.addAll(sources(n, root)));
            return out;
        }
        String s = node.asText();
        if (s.startsWith("./")) {
            s = s.substring(2);
        }
        Path p = new Path(s);
        out.add(isAbsolute(p) ? p : new Path(root, s));
        return out;
    }

    private static List<String> names(JsonNode node, Path source) {
        if (node == null || node.isNull()) {
            throw new InputException(
                    source + ": no `names`; list the class names (or give an {id: name} map)");
        }
        List<String> names = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> names.add(n.asText()));
        } else if (node.isObject()) {
            TreeMap<Integer, String> byId = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    byId.put(Integer.parseInt(e.getKey().strip()), e.getValue().asText());
                } catch (NumberFormatException ex) {
                    throw new InputException(
                            source + ": names key '" + e.getKey() + "' is not a class id");
                }
            }
            int expected = 0;
            for (Map.Entry<Integer, String> e : byId.entrySet()) {
                if (e.getKey() != expected++) {
                    throw new InputException(
                            source
                                    + ": names ids must be 0.."
                                    + (byId.size() - 1)
                                    + " without gaps; id "
                                    + (expected - 1)
                                    + " is missing");
                }
                names.add(e.getValue());
            }
        } else {
            throw new InputException(source + ": `names` must be a list or an {id: name} map");
        }
        if (names.isEmpty()) {
            throw new InputException(
                    source + ": `names` is empty; a detector needs at least one class");
        }
        return names;
    }
}
