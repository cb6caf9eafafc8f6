package io.prunesweep.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What {@code prunesweep val} prints: the run's settings, its figures and its speed, as
 * ultralytics' table or as JSON ({@code map50}, {@code map50_95}, {@code precision}, {@code
 * recall}, {@code fitness}, {@code images}, {@code instances}, {@code per_class}, {@code speed} in
 * ms per image, after the settings). When a model ran, the settings hold {@code runtime} ({@code
 * djl} for the engine, {@code onnxruntime} for an ONNX export), which the table's speed line names
 * too.
 *
 * @param settings what was validated and how (mode, data, split, weights or predictions, ...), in
 *     print order
 * @param result the figures
 * @param speed milliseconds per image per stage
 */
public record ValidationReport(
        Map<String, Object> settings, DetectionResult result, ValidationSpeed speed) {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ValidationReport {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.setAll((ObjectNode) JSON.valueToTree(settings));
        root.setAll((ObjectNode) JSON.valueToTree(result));
        root.set("speed", JSON.valueToTree(speed));
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * ultralytics' validation table: all classes, then one row per class with labels; then the
     * speed line, which names the runtime that produced the figures when a model ran.
     */
    public String toTable() {
        StringBuilder s = new StringBuilder();
        s.append(
                String.format(
                        Locale.ROOT,
                        "%22s%11s%11s%11s%11s%11s%11s%n",
                        "Class",
                        "Images",
                        "Instances",
                        "Box(P",
                        "R",
                        "mAP50",
                        "mAP50-95)"));
        DetectionResult r = result;
        s.append(
                row(
                        "all",
                        r.images(),
                        r.instances(),
                        r.precision(),
                        r.recall(),
                        r.map50(),
                        r.map50to95()));
        for (DetectionResult.ClassResult c : r.perClass()) {
            s.append(
                    row(c.name(), c.images(), c.instances(), c.p(), c.r(), c.ap50(), c.ap50to95()));
        }
        if (r.instances() == 0) {
            s.append(
                    "WARNING: no labels in this split, so every figure is 0; check the label files\n");
        }
        s.append(speedLine()).append('\n');
        return s.toString();
    }

    private static String row(
            String name, int images, int instances, double p, double r, double map50, double map) {
        return String.format(
                Locale.ROOT,
                "%22s%11d%11d%11.3f%11.3f%11.3f%11.3f%n",
                name,
                images,
                instances,
                p,
                r,
                map50,
                map);
    }

    private String speedLine() {
        List<String> parts = new ArrayList<>();
        add(parts, speed.preprocessMs(), "preprocess");
        add(parts, speed.inferenceMs(), "inference");
        add(parts, speed.postprocessMs(), "postprocess");
        Object runtime = settings.get("runtime");
        StringJoiner j =
                new StringJoiner(
                        ", ",
                        "Speed: ",
                        " per image" + (runtime == null ? "" : " (runtime: " + runtime + ")"));
        parts.forEach(j::add);
        return j.toString();
    }

    private static void add(List<String> parts, Double ms, String stage) {
        if (ms != null) {
            parts.add(String.format(Locale.ROOT, "%.1fms %s", ms, stage));
        }
    }
}
