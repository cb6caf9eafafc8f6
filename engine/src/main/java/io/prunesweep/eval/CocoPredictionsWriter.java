package io.prunesweep.eval;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.prunesweep.data.LabeledImage;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects a validation run's detections and writes them as COCO detection JSON, the file
 * ultralytics writes with {@code save_json}: one {@code {"image_id", "category_id", "bbox": [x, y,
 * w, h], "score"}} per box, boxes in original image pixels, {@code image_id} the file stem (a
 * number when all digits), {@code category_id} the class index, all on one line as ultralytics'
 * {@code json.dump}. Unlike ultralytics (3 decimals) every number is written at full precision, the
 * float32 value as its exact double, so {@link CocoPredictions} reads back the very same boxes and
 * scores and reproduces the run's figures.
 */
public final class CocoPredictionsWriter implements Validator.PredictionSink {
    private static final JsonFactory JSON = new JsonFactory();

    private record Image(String imageId, Detections detections) {}

    private final List<Image> images = new ArrayList<>();
    private long boxes;

    @Override
    public void accept(LabeledImage image, Detections detections) {
        images.add(new Image(CocoPredictions.imageIdOf(image), detections));
        boxes += detections.size();
    }

    /** Boxes collected so far. */
    public long size() {
        return boxes;
    }

    /** Writes the JSON list atomically to a local path or any Hadoop URI. */
    public void write(String uri) {
        FileSystems.writeAtomically(uri, this::writeTo);
    }

    /** Writes the JSON list to {@code out} (left open). */
    public void writeTo(OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.writeStartArray();
            for (Image im : images) {
                boolean numeric =
                        !im.imageId().isEmpty()
                                && im.imageId().chars().allMatch(Character::isDigit);
                Detections d = im.detections();
                for (int i = 0; i < d.size(); i++) {
                    g.writeStartObject();
                    if (numeric) {
                        g.writeFieldName("image_id");
                        g.writeNumber(new BigInteger(im.imageId()));
                    } else {
                        g.writeStringField("image_id", im.imageId());
                    }
                    g.writeNumberField("category_id", d.classes()[i]);
                    g.writeFieldName("bbox");
                    double x1 = d.x1(i);
                    double y1 = d.y1(i);
                    // w in double: the reader's x + w, rounded to float, is exactly x2 again
                    g.writeArray(new double[] {x1, y1, d.x2(i) - x1, d.y2(i) - y1}, 0, 4);
                    g.writeNumberField("score", (double) d.scores()[i]);
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeRaw('\n');
        }
    }
}
