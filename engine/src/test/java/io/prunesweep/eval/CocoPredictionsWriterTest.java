package io.prunesweep.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.data.LabeledImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class CocoPredictionsWriterTest {

    private static LabeledImage image(String name) {
        return new LabeledImage(new Path("/d/images/val/" + name), 480, 640, new float[0]);
    }

    /**
     * Score-descending detections with awkward floats: tiny, clipped to 0 or to the border, many
     * digits.
     */
    private static Detections randomDetections(Random rnd, int n) {
        float[] boxes = new float[4 * n];
        float[] scores = new float[n];
        int[] classes = new int[n];
        float score = 1f;
        for (int i = 0; i < n; i++) {
            float x1 =
                    switch (i % 4) {
                        case 0 -> 0f;
                        case 1 -> Float.MIN_NORMAL * rnd.nextInt(1000);
                        default -> rnd.nextFloat() * 600;
                    };
            float y1 = rnd.nextFloat() * 400;
            boxes[4 * i] = x1;
            boxes[4 * i + 1] = y1;
            boxes[4 * i + 2] = i % 5 == 0 ? 640f : x1 + rnd.nextFloat() * 40;
            boxes[4 * i + 3] = y1 + (float) Math.scalb(rnd.nextFloat(), rnd.nextInt(8));
            score = Math.nextDown(score * (0.5f + rnd.nextFloat() / 2));
            scores[i] = score;
            classes[i] = rnd.nextInt(4);
        }
        return new Detections(boxes, scores, classes);
    }

    @Test
    void whatItWritesReadsBackBitForBit() throws IOException {
        Random rnd = new Random(3);
        CocoPredictionsWriter w = new CocoPredictionsWriter();
        Detections a = randomDetections(rnd, 200);
        Detections b = randomDetections(rnd, 37);
        w.accept(image("000123.jpg"), a);
        w.accept(image("cat.5.png"), b);
        w.accept(image("000124.jpg"), Detections.EMPTY);
        assertEquals(237, w.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.writeTo(out);

        JsonNode list = new ObjectMapper().readTree(out.toByteArray());
        assertEquals(237, list.size());
        assertTrue(
                list.get(0).get("image_id").isIntegralNumber(),
                "numeric stems are numbers, as ultralytics");
        assertEquals(123, list.get(0).get("image_id").asInt());
        assertEquals(
                "cat.5",
                list.get(200).get("image_id").asText(),
                "the stem drops only the last suffix");

        CocoPredictions read =
                CocoPredictions.read(new ByteArrayInputStream(out.toByteArray()), "mem", 4);
        for (var e : new Object[][] {{"123", a}, {"cat.5", b}}) {
            Detections want = (Detections) e[1];
            Detections got = read.forImage((String) e[0]);
            assertArrayEquals(want.boxes(), got.boxes(), "boxes of " + e[0]);
            assertArrayEquals(want.scores(), got.scores(), "scores of " + e[0]);
            assertArrayEquals(want.classes(), got.classes(), "classes of " + e[0]);
        }
        assertEquals(0, read.forImage("124").size());
    }
}
