package io.prunesweep.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prunesweep.InputException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoPredictionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static CocoPredictions parse(String json, int nc) {
        return CocoPredictions.read(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "preds.json", nc);
    }

    @Test
    void fixtureAsCocoJsonGivesTheSameFigures(@TempDir Path dir) throws Exception {
        ReferenceFixture fx = ReferenceFixture.load();
        ArrayNode list = JSON.createArrayNode();
        Map<String, GroundTruth> gt = new LinkedHashMap<>();
        DetectionMetrics direct = new DetectionMetrics(fx.names());
        for (ReferenceFixture.Image im : fx.images()) {
            gt.put(im.stem(), im.gt());
            direct.add(im.pred(), im.gt());
            Detections d = im.pred();
            // written in reverse so reading must restore score order
            for (int i = d.size() - 1; i >= 0; i--) {
                ObjectNode o = list.addObject();
                boolean numeric = im.stem().chars().allMatch(Character::isDigit);
                if (numeric) {
                    o.put("image_id", Long.parseLong(im.stem())); // as ultralytics: int(stem)
                } else {
                    o.put("image_id", im.stem());
                }
                o.put("category_id", d.classes()[i]);
                o.putArray("bbox")
                        .add((double) d.x1(i))
                        .add((double) d.y1(i))
                        .add((double) d.x2(i) - d.x1(i))
                        .add((double) d.y2(i) - d.y1(i));
                o.put("score", (double) d.scores()[i]);
            }
        }
        Path file = dir.resolve("predictions.json");
        JSON.writeValue(file.toFile(), list);

        CocoPredictions preds = CocoPredictions.read(file, fx.names().size());
        assertTrue(preds.imageIds().contains("1"), "stem 000001 is image_id 1");
        assertTrue(preds.imageIds().contains("img_0"));
        DetectionResult viaCoco = preds.evaluate(gt, fx.names());
        DetectionResult expected = direct.result();
        assertEquals(expected, viaCoco);
        assertEquals(fx.expected().get("map50_95").doubleValue(), viaCoco.map50to95(), 1e-6);
    }

    @Test
    void numericStemsBecomeNumbers() {
        assertEquals("42", CocoPredictions.imageIdOf("000042"));
        assertEquals("0", CocoPredictions.imageIdOf("000"));
        assertEquals("img_42", CocoPredictions.imageIdOf("img_42"));
        assertEquals("4e2", CocoPredictions.imageIdOf("4e2"));
        CocoPredictions p =
                parse(
                        "[{\"image_id\": \"007\", \"category_id\": 0, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]",
                        1);
        assertArrayEquals(new float[] {1, 2, 4, 6}, p.forImage("7").boxes());
    }

    @Test
    void imagesWithoutPredictionsStillCount() {
        CocoPredictions p =
                parse(
                        "[{\"image_id\": 1, \"category_id\": 0, \"bbox\": [0, 0, 10, 10], \"score\": 0.9}]",
                        2);
        Map<String, GroundTruth> gt = new LinkedHashMap<>();
        gt.put("0001", new GroundTruth(new float[] {0, 0, 10, 10}, new int[] {0}));
        gt.put("0002", new GroundTruth(new float[] {0, 0, 10, 10}, new int[] {0}));
        DetectionResult r = p.evaluate(gt, List.of("a", "b"));
        assertEquals(2, r.images());
        assertEquals(0.5, r.recall(), 1e-12);
        assertEquals(0.75, r.map50(), 1e-12);
    }

    @Test
    void unknownImageIdIsNamed() {
        CocoPredictions p =
                parse(
                        "[{\"image_id\": 17, \"category_id\": 0, \"bbox\": [0, 0, 10, 10], \"score\": 0.9},"
                                + "{\"image_id\": \"cat_9\", \"category_id\": 0, \"bbox\": [0, 0, 10, 10], \"score\": 0.9}]",
                        1);
        Map<String, GroundTruth> gt = Map.of("000001", GroundTruth.EMPTY);
        InputException e = assertThrows(InputException.class, () -> p.evaluate(gt, List.of("a")));
        assertTrue(
                e.getMessage().contains("preds.json: image_id 17 is not an image of the dataset"),
                e.getMessage());
        assertTrue(e.getMessage().contains("cat_9"), e.getMessage());
    }

    @Test
    void unknownCategoryIsNamed() {
        InputException e =
                assertThrows(
                        InputException.class,
                        () ->
                                parse(
                                        "[{\"image_id\": 1, \"category_id\": 0, \"bbox\": [0, 0, 1, 1], \"score\": 0.9},"
                                                + "{\"image_id\": 1, \"category_id\": 80, \"bbox\": [0, 0, 1, 1], \"score\": 0.9}]",
                                        80));
        assertTrue(
                e.getMessage()
                        .contains("preds.json: entry 1: category_id 80 is not a class index 0..79"),
                e.getMessage());
    }

    @Test
    void malformedInputIsNamed() {
        assertTrue(
                assertThrows(InputException.class, () -> parse("{\"a\": 1}", 1))
                        .getMessage()
                        .contains("must be a JSON list"));
        assertTrue(
                assertThrows(
                                InputException.class,
                                () ->
                                        parse(
                                                "[{\"image_id\": 1, \"category_id\": 0, \"bbox\": [0, 0, 1], \"score\": 0.9}]",
                                                1))
                        .getMessage()
                        .contains("entry 0: bbox [0,0,1] is not [x, y, width, height]"));
        assertTrue(
                assertThrows(
                                InputException.class,
                                () ->
                                        parse(
                                                "[{\"category_id\": 0, \"bbox\": [0, 0, 1, 1], \"score\": 0.9}]",
                                                1))
                        .getMessage()
                        .contains("entry 0 has no image_id"));
        assertTrue(
                assertThrows(InputException.class, () -> parse("[{\"image_id\": 1,", 1))
                        .getMessage()
                        .contains("not valid JSON"));
    }

    @Test
    void collidingStemsAreRejected() {
        CocoPredictions p = parse("[]", 1);
        Map<String, GroundTruth> gt = new LinkedHashMap<>();
        gt.put("01", GroundTruth.EMPTY);
        gt.put("1", GroundTruth.EMPTY);
        assertTrue(
                assertThrows(InputException.class, () -> p.evaluate(gt, List.of("a")))
                        .getMessage()
                        .contains("'01' and '1' both have COCO image_id 1"));
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");
        assertTrue(
                assertThrows(InputException.class, () -> CocoPredictions.read(missing, 1))
                        .getMessage()
                        .startsWith(missing.toString()));
        assertTrue(Files.notExists(missing));
    }
}
