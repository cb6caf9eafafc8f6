package io.prunesweep.eval;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.InputException;
import io.prunesweep.data.LabeledImage;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;

/**
 * Detections from an external tool in COCO result format (what ultralytics writes as {@code
 * predictions.json}): a JSON list of {@code {"image_id", "category_id", "bbox": [x, y, w, h],
 * "score"}} with boxes in original image pixels. Here {@code image_id} is the image file stem (a
 * number when the stem is all digits, so stem {@code "000042"} is id {@code 42}) and {@code
 * category_id} is the class index.
 */
public final class CocoPredictions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final Map<String, Detections> byImage;

    private CocoPredictions(String source, Map<String, Detections> byImage) {
        this.source = source;
        this.byImage = byImage;
    }

    /**
     * Reads a COCO detection JSON file (a local path or any Hadoop URI); categories must be class
     * indices {@code 0..numClasses-1}.
     */
    public static CocoPredictions read(String uri, int numClasses) {
        try (InputStream in = FileSystems.open(uri)) {
            return read(in, uri, numClasses);
        } catch (IOException e) {
            throw new InputException(
                    uri + ": cannot read COCO predictions (" + e.getMessage() + ")", e);
        }
    }

    /** As {@link #read(String, int)} for a local file. */
    public static CocoPredictions read(java.nio.file.Path file, int numClasses) {
        return read(file.toString(), numClasses);
    }

    /** As {@link #read(String, int)} from a stream; {@code source} names it in error messages. */
    public static CocoPredictions read(InputStream in, String source, int numClasses) {
        Map<String, Builder> builders = new LinkedHashMap<>();
        try (JsonParser parser = JSON.getFactory().createParser(in)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new InputException(
                        source
                                + ": COCO predictions must be a JSON list of "
                                + "{image_id, category_id, bbox, score} objects; it does not start with '['");
            }
            int entry = 0;
            for (JsonToken tok = parser.nextToken();
                    tok != JsonToken.END_ARRAY;
                    tok = parser.nextToken(), entry++) {
                if (tok != JsonToken.START_OBJECT) {
                    throw new InputException(source + ": entry " + entry + " is not a JSON object");
                }
                JsonNode node = JSON.readTree(parser);
                String at = source + ": entry " + entry;
                String id = imageId(node.get("image_id"), at);
                int cls = category(node.get("category_id"), numClasses, at);
                float[] box = bbox(node.get("bbox"), at);
                float score = (float) number(node.get("score"), at, "score");
                builders.computeIfAbsent(id, k -> new Builder()).add(box, score, cls);
            }
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new InputException(
                    source + ": not valid JSON (" + e.getOriginalMessage() + where + ")", e);
        } catch (IOException e) {
            throw new InputException(
                    source + ": cannot read COCO predictions (" + e.getMessage() + ")", e);
        }
        Map<String, Detections> byImage = new LinkedHashMap<>();
        builders.forEach((id, b) -> byImage.put(id, b.build()));
        return new CocoPredictions(source, Collections.unmodifiableMap(byImage));
    }

    /** The image ids that have predictions, in canonical form (see {@link #imageIdOf}). */
    public Set<String> imageIds() {
        return byImage.keySet();
    }

    /** Detections of one image id (canonical form), score descending; empty when it has none. */
    public Detections forImage(String imageId) {
        return byImage.getOrDefault(imageId, Detections.EMPTY);
    }

    /**
     * The canonical id of an image file stem: all-digit stems are numbers ({@code "000042"} becomes
     * {@code "42"}), as ultralytics' {@code int(stem) if stem.isnumeric() else stem}.
     */
    public static String imageIdOf(String stem) {
        if (!stem.isEmpty() && stem.chars().allMatch(Character::isDigit)) {
            return new java.math.BigInteger(stem).toString();
        }
        return stem;
    }

    /** The COCO {@code image_id} of a dataset image: its file stem, a number when all digits. */
    public static String imageIdOf(LabeledImage image) {
        return imageIdOf(stem(image.image()));
    }

    /** A file's name without its last suffix, as Python's {@code Path.stem}. */
    static String stem(Path file) {
        String name = file.getName();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /**
     * The images of a scanned split by COCO image_id, in dataset order.
     *
     * @throws InputException when two images have the same id (the same stem in two folders, or
     *     stems such as {@code 01} and {@code 1}): predictions for them could not be told apart
     */
    public static Map<String, LabeledImage> imagesById(YoloDataset data) {
        Map<String, LabeledImage> byId = new LinkedHashMap<>();
        for (LabeledImage image : data.images()) {
            LabeledImage prev = byId.put(imageIdOf(image), image);
            if (prev != null) {
                throw new InputException(
                        "dataset images "
                                + prev.image()
                                + " and "
                                + image.image()
                                + " both have COCO "
                                + "image_id "
                                + imageIdOf(image)
                                + " (from the file stem); rename one so predictions can be"
                                + " told apart");
            }
        }
        return byId;
    }

    /**
     * Evaluates these predictions against the labels of every image of a scanned split, in dataset
     * order.
     *
     * @throws InputException when a prediction names an image that is not in the split, or two
     *     images of the split have the same COCO image_id
     */
    public DetectionResult evaluate(YoloDataset data) {
        Map<String, GroundTruth> byStem = new LinkedHashMap<>();
        imagesById(data)
                .values()
                .forEach(image -> byStem.put(stem(image.image()), GroundTruth.of(image)));
        return evaluate(byStem, data.names());
    }

    /**
     * Evaluates these predictions against the ground truth of a dataset split.
     *
     * @param groundTruthByStem per image file stem its boxes ({@code x1, y1, x2, y2}, original
     *     pixels) and classes; every image of the split, in dataset order
     * @param names class names
     * @throws InputException when a prediction names an image that is not in the split, or two
     *     stems map to the same id
     */
    public DetectionResult evaluate(
            Map<String, GroundTruth> groundTruthByStem, List<String> names) {
        Map<String, String> stemOfId = new LinkedHashMap<>();
        for (String stem : groundTruthByStem.keySet()) {
            String prev = stemOfId.put(imageIdOf(stem), stem);
            if (prev != null) {
                throw new InputException(
                        "dataset images '"
                                + prev
                                + "' and '"
                                + stem
                                + "' both have COCO image_id "
                                + imageIdOf(stem)
                                + "; rename one so predictions can be told apart");
            }
        }
        List<String> unknown = new ArrayList<>();
        for (String id : byImage.keySet()) {
            if (!stemOfId.containsKey(id)) {
                unknown.add(id);
            }
        }
        if (!unknown.isEmpty()) {
            throw new InputException(
                    source
                            + ": image_id "
                            + unknown.get(0)
                            + " is not an image of the dataset"
                            + (unknown.size() > 1
                                    ? " (nor are "
                                            + (unknown.size() - 1)
                                            + " more, e.g. "
                                            + unknown.subList(1, Math.min(unknown.size(), 4))
                                            + ")"
                                    : "")
                            + "; image_id must be the image file stem (a number when the stem is all digits) of the"
                            + " split being evaluated");
        }
        DetectionMetrics metrics = new DetectionMetrics(names);
        stemOfId.forEach((id, stem) -> metrics.add(forImage(id), groundTruthByStem.get(stem)));
        return metrics.result();
    }

    private static String imageId(JsonNode v, String at) {
        if (v == null || v.isNull()) {
            throw new InputException(at + " has no image_id");
        }
        if (v.isIntegralNumber()) {
            return v.bigIntegerValue().toString();
        }
        if (v.isTextual()) {
            return imageIdOf(v.textValue());
        }
        throw new InputException(
                at + ": image_id " + v + " is neither a number nor a string (the image file stem)");
    }

    private static int category(JsonNode v, int numClasses, String at) {
        if (v == null || !v.isIntegralNumber()) {
            throw new InputException(at + ": category_id " + v + " is not an integer class index");
        }
        long c = v.longValue();
        if (c < 0 || c >= numClasses) {
            throw new InputException(
                    at
                            + ": category_id "
                            + c
                            + " is not a class index 0.."
                            + (numClasses - 1)
                            + " ("
                            + numClasses
                            + " classes); category_id must be the dataset's class index");
        }
        return (int) c;
    }

    private static float[] bbox(JsonNode v, String at) {
        if (v == null || !v.isArray() || v.size() != 4) {
            throw new InputException(at + ": bbox " + v + " is not [x, y, width, height]");
        }
        // corners in double, rounded to float once: a box written by CocoPredictionsWriter comes
        // back bit for bit
        double x = number(v.get(0), at, "bbox x");
        double y = number(v.get(1), at, "bbox y");
        double w = number(v.get(2), at, "bbox width");
        double h = number(v.get(3), at, "bbox height");
        if (w < 0 || h < 0) {
            throw new InputException(at + ": bbox " + v + " has a negative width or height");
        }
        return new float[] {(float) x, (float) y, (float) (x + w), (float) (y + h)};
    }

    private static double number(JsonNode v, String at, String what) {
        if (v == null || !v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new InputException(at + ": " + what + " " + v + " is not a finite number");
        }
        return v.doubleValue();
    }

    /** Collects one image's boxes; built score descending (stable), the order NMS gave them. */
    private static final class Builder {
        private float[] boxes = new float[64];
        private float[] scores = new float[16];
        private int[] classes = new int[16];
        private int n;

        void add(float[] box, float score, int cls) {
            if (n == scores.length) {
                boxes = Arrays.copyOf(boxes, 8 * n);
                scores = Arrays.copyOf(scores, 2 * n);
                classes = Arrays.copyOf(classes, 2 * n);
            }
            System.arraycopy(box, 0, boxes, 4 * n, 4);
            scores[n] = score;
            classes[n++] = cls;
        }

        Detections build() {
            int[] order = ApPerClass.descendingOrder(Arrays.copyOf(scores, n));
            float[] b = new float[4 * n];
            float[] s = new float[n];
            int[] c = new int[n];
            for (int k = 0; k < n; k++) {
                System.arraycopy(boxes, 4 * order[k], b, 4 * k, 4);
                s[k] = scores[order[k]];
                c[k] = classes[order[k]];
            }
            return new Detections(b, s, c);
        }
    }
}
