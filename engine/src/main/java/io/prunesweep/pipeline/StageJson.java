package io.prunesweep.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON form of the stage contract (requests, results, progress lines). One configured mapper. */
public final class StageJson {
    private StageJson() {}

    /** Progress lines on a child's stdout start with this marker, followed by one line of JSON. */
    public static final String PROGRESS_PREFIX = "@@progress ";

    // Unknown fields are ignored so an older sweep can read results written by a newer engine.
    private static final ObjectMapper MAPPER =
            new ObjectMapper()
                    .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                    .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String writePretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String progressLine(Progress p) {
        return PROGRESS_PREFIX + write(p);
    }

    /**
     * The progress in a stdout line, or null when the line is not a progress line (or is damaged).
     */
    public static Progress parseProgressLine(String line) {
        if (line == null || !line.startsWith(PROGRESS_PREFIX)) {
            return null;
        }
        try {
            return MAPPER.readValue(line.substring(PROGRESS_PREFIX.length()), Progress.class);
        } catch (IOException e) {
            return null;
        }
    }
}
