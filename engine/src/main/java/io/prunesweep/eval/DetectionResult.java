package io.prunesweep.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The figures ultralytics' validator reports for a detection run. Means are over the classes that
 * have ground truth (those listed in {@code perClass}); a run without ground truth gives zeros.
 *
 * @param map50 mean AP at IoU 0.50
 * @param map50to95 mean AP over IoU 0.50:0.05:0.95
 * @param precision mean precision at the max-F1 score
 * @param recall mean recall at the max-F1 score
 * @param fitness {@code 0.1 * map50 + 0.9 * map50to95}, ultralytics' model-selection score
 * @param images images evaluated
 * @param instances ground-truth objects over all images
 * @param perClass per class with ground truth, ascending class index
 */
public record DetectionResult(
        @JsonProperty("map50") double map50,
        @JsonProperty("map50_95") double map50to95,
        @JsonProperty("precision") double precision,
        @JsonProperty("recall") double recall,
        @JsonProperty("fitness") double fitness,
        @JsonProperty("images") int images,
        @JsonProperty("instances") int instances,
        @JsonProperty("per_class") List<ClassResult> perClass) {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public DetectionResult {
        perClass = List.copyOf(perClass);
    }

    /**
     * One class's row of the validator's table.
     *
     * @param index class index
     * @param name class name
     * @param images images containing the class
     * @param instances ground-truth objects of the class
     * @param p precision at the max-F1 score
     * @param r recall at the max-F1 score
     * @param ap50 AP at IoU 0.50
     * @param ap50to95 AP averaged over IoU 0.50:0.05:0.95
     */
    public record ClassResult(
            @JsonProperty("index") int index,
            @JsonProperty("name") String name,
            @JsonProperty("images") int images,
            @JsonProperty("instances") int instances,
            @JsonProperty("p") double p,
            @JsonProperty("r") double r,
            @JsonProperty("ap50") double ap50,
            @JsonProperty("ap50_95") double ap50to95) {}

    /**
     * ultralytics' {@code Metric.fitness}: weights {@code [0, 0, 0.1, 0.9]} on {@code [P, R, mAP50,
     * mAP50-95]}.
     */
    static double fitness(double p, double r, double map50, double map) {
        return 0.0 + p * 0.0 + r * 0.0 + map50 * 0.1 + map * 0.9;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
