package io.prunesweep.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** Kubernetes YAML files (several documents per file) as Jackson trees. */
final class Manifests {
    private static final YAMLFactory YAML = new YAMLFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(YAML);

    private Manifests() {}

    static List<JsonNode> load(String relative) {
        return load(Repo.file(relative));
    }

    static List<JsonNode> load(Path file) {
        try (YAMLParser parser = YAML.createParser(file.toFile());
                MappingIterator<JsonNode> docs = MAPPER.readValues(parser, JsonNode.class)) {
            return docs.readAll().stream()
                    .filter(d -> d != null && !d.isNull() && !d.isMissingNode())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": not valid YAML", e);
        }
    }
}
