package io.prunesweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prunesweep.data.SyntheticShapes;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.SafeTensors;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.YoloModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntPredicate;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prunesweep val} end to end on a small synthetic split (8 images, 64 px) whose labels are rewritten to a few
 * known large boxes, so even an untrained model finds some of them and the figures are not all zero.
 */
class ValCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IMAGES = 8;
    private static final double PERFECT_AP = 0.995;

    @TempDir static Path dir;
    static String yaml;
    /** Per val image: width, height, then label rows {@code class cx cy w h} (normalized). */
    static int[][] sizes = new int[IMAGES][];
    static double[][][] labels = new double[IMAGES][][];
    static int instances;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static JsonNode json(String... args) throws IOException {
        CliRun r = run(args);
        assertEquals(0, r.code(), r.err());
        return JSON.readTree(r.out());
    }

    @BeforeAll
    static void dataset() throws IOException {
        Path ds = dir.resolve("ds");
        SyntheticShapes.write(new org.apache.hadoop.fs.Path(ds.toUri()),
                new SyntheticShapes.Options(1, IMAGES, 64, 5, ".png"), new Configuration());
        yaml = ds.resolve("data.yaml").toString();
        for (int i = 0; i < IMAGES; i++) {
            String stem = String.format("%06d", i);
            BufferedImage img = ImageIO.read(ds.resolve("images/val/" + stem + ".png").toFile());
            sizes[i] = new int[] {img.getWidth(), img.getHeight()};
            labels[i] = i % 2 == 0
                    ? new double[][] {{i % 3, 0.5, 0.5, 0.9, 0.85}}
                    : new double[][] {{i % 3, 0.45, 0.5, 0.8, 0.9}, {(i + 1) % 3, 0.25, 0.25, 0.4, 0.4}};
            StringBuilder text = new StringBuilder();
            for (double[] row : labels[i]) {
                text.append(String.format(java.util.Locale.ROOT, "%d %.4f %.4f %.4f %.4f%n", (int) row[0], row[1],
                        row[2], row[3], row[4]));
                instances++;
            }
            Files.writeString(ds.resolve("labels/val/" + stem + ".txt"), text);
        }
    }

    /** Each label as a detection (pixel box, from the numbers written above), score 0.9 minus a little per box. */
    static Path predictionsFile(String name, IntPredicate keepClass) throws IOException {
        ArrayNode list = JSON.createArrayNode();
        int k = 0;
        for (int i = 0; i < IMAGES; i++) {
            for (double[] row : labels[i]) {
                if (!keepClass.test((int) row[0])) continue;
                double w = sizes[i][0], h = sizes[i][1];
                ObjectNode o = list.addObject();
                o.put("image_id", i); // stem 000003 is image_id 3
                o.put("category_id", (int) row[0]);
                o.putArray("bbox").add((row[1] - row[3] / 2) * w).add((row[2] - row[4] / 2) * h).add(row[3] * w)
                        .add(row[4] * h);
                o.put("score", 0.9 - 0.01 * k++);
            }
        }
        Path file = dir.resolve(name);
        JSON.writeValue(file.toFile(), list);
        return file;
    }

    static void assertSameFigures(JsonNode expected, JsonNode actual) {
        for (String k : new String[] {"map50", "map50_95", "precision", "recall", "fitness"}) {
            assertEquals(expected.get(k).asDouble(), actual.get(k).asDouble(), 1e-6, k);
        }
        assertEquals(expected.get("images").asInt(), actual.get("images").asInt());
        assertEquals(expected.get("instances").asInt(), actual.get("instances").asInt());
        assertEquals(expected.get("per_class").size(), actual.get("per_class").size());
        for (int c = 0; c < expected.get("per_class").size(); c++) {
            JsonNode e = expected.get("per_class").get(c);
            JsonNode a = actual.get("per_class").get(c);
            assertEquals(e.get("name").asText(), a.get("name").asText());
            assertEquals(e.get("instances").asInt(), a.get("instances").asInt());
            for (String k : new String[] {"ap50", "ap50_95", "p", "r"}) {
                assertEquals(e.get(k).asDouble(), a.get(k).asDouble(), 1e-6, e.get("name").asText() + " " + k);
            }
        }
    }

    @Test
    void savedPredictionsReproduceTheWeightsFigures() throws IOException {
        Path ckpt = dir.resolve("v8n.safetensors");
        Path plain = dir.resolve("state_dict.safetensors");
        try (YoloModel m = YoloModel.create(GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 3), 11, Device.cpu())) {
            Checkpoint.save(m, ckpt.toString(), Map.of());
            // the same weights as an ultralytics state dict: no graph in the metadata
            try (OutputStream o = Files.newOutputStream(plain)) {
                SafeTensors.write(o, m.stateDict(), Map.of());
            }
        }
        Path saved = dir.resolve("out/preds.json");
        JsonNode viaWeights = json("val", "--weights", ckpt.toString(), "--data", yaml, "--imgsz", "64", "--batch", "3",
                "--save-json", saved.toString(), "--json");
        assertEquals("weights", viaWeights.get("mode").asText());
        assertEquals("yolov8n", viaWeights.get("model").asText());
        assertEquals(IMAGES, viaWeights.get("images").asInt());
        assertEquals(instances, viaWeights.get("instances").asInt());
        assertTrue(viaWeights.get("map50").asDouble() > 0.01, "an untrained model still finds some large boxes: "
                + viaWeights);
        assertTrue(viaWeights.get("map50").asDouble() > viaWeights.get("map50_95").asDouble(), viaWeights.toString());
        assertEquals(3, viaWeights.get("per_class").size());
        assertTrue(viaWeights.get("speed").get("inference").asDouble() > 0, viaWeights.toString());
        assertTrue(Files.isRegularFile(saved));
        JsonNode written = JSON.readTree(saved.toFile());
        assertTrue(written.size() > IMAGES, "several detections per image at conf 0.001");
        assertEquals(0, written.get(0).get("image_id").asInt());
        assertEquals(4, written.get(0).get("bbox").size());

        JsonNode viaFile = json("val", "--predictions", saved.toString(), "--data", yaml, "--json");
        assertEquals("predictions", viaFile.get("mode").asText());
        assertTrue(viaFile.get("speed").get("inference").isNull(), viaFile.toString());
        assertSameFigures(viaWeights, viaFile);

        JsonNode viaStateDict = json("val", "--weights", plain.toString(), "--data", yaml, "--imgsz", "64", "--json");
        assertEquals("yolov8n", viaStateDict.get("model").asText(), "family and scale inferred from the state dict");
        assertSameFigures(viaWeights, viaStateDict);
    }

    @Test
    void handMadePredictionsGiveKnownFigures() throws IOException {
        // perfect detections: P = R = 1, and AP 0.995 at every IoU, not 1, exactly as ultralytics reports it
        // (compute_ap's sentinel point (recall 1, precision 0) costs the last 1/100 trapezoid half its area)
        JsonNode perfect = json("val", "--predictions", predictionsFile("perfect.json", c -> true).toString(),
                "--data", yaml, "--json");
        assertEquals(1.0, perfect.get("precision").asDouble(), 1e-9);
        assertEquals(1.0, perfect.get("recall").asDouble(), 1e-9);
        assertEquals(PERFECT_AP, perfect.get("map50").asDouble(), 1e-9);
        assertEquals(PERFECT_AP, perfect.get("map50_95").asDouble(), 1e-9);
        assertEquals(PERFECT_AP, perfect.get("fitness").asDouble(), 1e-9);
        assertEquals(IMAGES, perfect.get("images").asInt());
        assertEquals(instances, perfect.get("instances").asInt());
        assertEquals(3, perfect.get("per_class").size());
        for (JsonNode c : perfect.get("per_class")) {
            assertEquals(PERFECT_AP, c.get("ap50_95").asDouble(), 1e-9, c.toString());
        }

        // every circle missed: its AP is 0, the mean over the three classes with labels is 2/3 of a perfect one
        JsonNode noCircles = json("val", "--predictions", predictionsFile("no-circles.json", c -> c != 0).toString(),
                "--data", yaml, "--json");
        assertEquals(PERFECT_AP * 2 / 3, noCircles.get("map50").asDouble(), 1e-9);
        assertEquals(PERFECT_AP * 2 / 3, noCircles.get("map50_95").asDouble(), 1e-9);
        assertEquals("circle", noCircles.get("per_class").get(0).get("name").asText());
        assertEquals(0.0, noCircles.get("per_class").get(0).get("ap50").asDouble());
        assertEquals(PERFECT_AP, noCircles.get("per_class").get(1).get("ap50").asDouble(), 1e-9);

        Path empty = Files.writeString(dir.resolve("empty.json"), "[]");
        JsonNode none = json("val", "--predictions", empty.toString(), "--data", yaml, "--json");
        for (String k : new String[] {"map50", "map50_95", "precision", "recall"}) {
            assertEquals(0.0, none.get(k).asDouble(), k);
        }
        assertEquals(IMAGES, none.get("images").asInt());
        assertEquals(instances, none.get("instances").asInt());

        CliRun table = run("val", "--predictions", dir.resolve("perfect.json").toString(), "--data", yaml);
        assertEquals(0, table.code(), table.err());
        String[] lines = table.out().split("\n");
        assertTrue(lines[0].startsWith("val: " + IMAGES + " images"), table.out());
        assertEquals("                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95)", lines[1]);
        assertEquals(String.format("%22s%11d%11d%11s%11s%11s%11s", "all", IMAGES, instances, "1.000", "1.000", "0.995",
                "0.995"), lines[2]);
        assertTrue(lines[3].trim().startsWith("circle "), table.out());
        assertTrue(lines[6].startsWith("Speed: ") && lines[6].endsWith("ms postprocess per image"), table.out());
    }

    @Test
    void badInputIsOneClearLine() throws IOException {
        Path preds = dir.resolve("bad.json");
        Files.writeString(preds, "[{\"image_id\": 99, \"category_id\": 0, \"bbox\": [0, 0, 5, 5], \"score\": 0.5}]");
        assertError(preds + ": image_id 99 is not an image of the dataset", "val", "--predictions", preds.toString(),
                "--data", yaml);

        Files.writeString(preds, "[{\"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 5, 5], \"score\": 0.5}]");
        assertError(preds + ": entry 0: category_id 3 is not a class index 0..2 (3 classes)", "val", "--predictions",
                preds.toString(), "--data", yaml);

        Files.writeString(preds, "[{\"image_id\": 1, \"category_id\": 0, \"bbox\": [0, 0, 5, 5] \"score\": 0.5}]");
        assertError(preds + ": not valid JSON", "val", "--predictions", preds.toString(), "--data", yaml);

        String missing = dir.resolve("nope.safetensors").toString();
        assertError(missing + ": file not found", "val", "--weights", missing, "--data", yaml);
        assertError(dir.resolve("nope.json") + ": file not found", "val", "--predictions",
                dir.resolve("nope.json").toString(), "--data", yaml);
        assertError("val: give either --weights", "val", "--data", yaml);
        assertError("not both", "val", "--weights", missing, "--predictions", preds.toString(), "--data", yaml);
        assertError("unknown split 'test'", "val", "--predictions", preds.toString(), "--data", yaml, "--split", "test");

        // the train image 000000 and the val image 000000 in one split: one image_id for two images
        Path dup = Files.writeString(dir.resolve("ds/dup.yaml"),
                "train: images/train\nval: [images/val, images/train]\nnames: [circle, rectangle, triangle]\n");
        Path empty = Files.writeString(dir.resolve("none.json"), "[]");
        assertError("both have COCO image_id 0 (from the file stem); rename one", "val", "--predictions",
                empty.toString(), "--data", dup.toString());

        Path twoClasses = dir.resolve("nc2.safetensors");
        try (YoloModel m = YoloModel.create(GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2), 1, Device.cpu())) {
            Checkpoint.save(m, twoClasses.toString(), Map.of());
        }
        assertError(twoClasses + " predicts 2 classes but " + yaml + " has 3", "val", "--weights",
                twoClasses.toString(), "--data", yaml, "--imgsz", "64");
        Path threeClasses = dir.resolve("nc3.safetensors");
        try (YoloModel m = YoloModel.create(GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 3), 1, Device.cpu())) {
            Checkpoint.save(m, threeClasses.toString(), Map.of());
        }
        assertError("val: --imgsz 100 is not a multiple of the model's largest stride 32; use e.g. 96", "val",
                "--weights", threeClasses.toString(), "--data", yaml, "--imgsz", "100");
    }

    private static void assertError(String expectedStart, String... args) {
        CliRun r = run(args);
        assertEquals(2, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("error: ") && err.contains(expectedStart), err);
        assertFalse(r.out().contains("Class"), r.out());
    }
}
