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
import io.prunesweep.io.onnx.Dim;
import io.prunesweep.io.onnx.OnnxGraph;
import io.prunesweep.io.onnx.OnnxValueInfo;
import io.prunesweep.io.onnx.YoloOnnxExporter;
import io.prunesweep.io.onnx.YoloOnnxExporterTest;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.YoloModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prunesweep val} end to end on a small synthetic split (8 images, 64 px) whose labels are
 * rewritten to a few known large boxes, so even an untrained model finds some of them and the
 * figures are not all zero. Weights run in the engine, their ONNX export in ONNX Runtime, and the
 * two must agree.
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
        SyntheticShapes.write(
                new org.apache.hadoop.fs.Path(ds.toUri()),
                new SyntheticShapes.Options(1, IMAGES, 64, 5, ".png"),
                new Configuration());
        yaml = ds.resolve("data.yaml").toString();
        for (int i = 0; i < IMAGES; i++) {
            String stem = String.format("%06d", i);
            BufferedImage img = ImageIO.read(ds.resolve("images/val/" + stem + ".png").toFile());
            sizes[i] = new int[] {img.getWidth(), img.getHeight()};
            labels[i] =
                    i % 2 == 0
                            ? new double[][] {{i % 3, 0.5, 0.5, 0.9, 0.85}}
                            : new double[][] {
                                {i % 3, 0.45, 0.5, 0.8, 0.9}, {(i + 1) % 3, 0.25, 0.25, 0.4, 0.4}
                            };
            StringBuilder text = new StringBuilder();
            for (double[] row : labels[i]) {
                text.append(
                        String.format(
                                java.util.Locale.ROOT,
                                "%d %.4f %.4f %.4f %.4f%n",
                                (int) row[0],
                                row[1],
                                row[2],
                                row[3],
                                row[4]));
                instances++;
            }
            Files.writeString(ds.resolve("labels/val/" + stem + ".txt"), text);
        }
    }

    /**
     * Each label as a detection (pixel box, from the numbers written above), score 0.9 minus a
     * little per box.
     */
    static Path predictionsFile(String name, IntPredicate keepClass) throws IOException {
        ArrayNode list = JSON.createArrayNode();
        int k = 0;
        for (int i = 0; i < IMAGES; i++) {
            for (double[] row : labels[i]) {
                if (!keepClass.test((int) row[0])) {
                    continue;
                }
                double w = sizes[i][0], h = sizes[i][1];
                ObjectNode o = list.addObject();
                o.put("image_id", i); // stem 000003 is image_id 3
                o.put("category_id", (int) row[0]);
                o.putArray("bbox")
                        .add((row[1] - row[3] / 2) * w)
                        .add((row[2] - row[4] / 2) * h)
                        .add(row[3] * w)
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
                assertEquals(
                        e.get(k).asDouble(),
                        a.get(k).asDouble(),
                        1e-6,
                        e.get("name").asText() + " " + k);
            }
        }
    }

    @Test
    void savedPredictionsReproduceTheWeightsFigures() throws IOException {
        Path ckpt = dir.resolve("v8n.safetensors");
        Path plain = dir.resolve("state_dict.safetensors");
        try (YoloModel m =
                YoloModel.create(
                        GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 3),
                        11,
                        Device.cpu())) {
            Checkpoint.save(m, ckpt.toString(), Map.of());
            // the same weights as an ultralytics state dict: no graph in the metadata
            try (OutputStream o = Files.newOutputStream(plain)) {
                SafeTensors.write(o, m.stateDict(), Map.of());
            }
        }
        Path saved = dir.resolve("out/preds.json");
        JsonNode viaWeights =
                json(
                        "val",
                        "--weights",
                        ckpt.toString(),
                        "--data",
                        yaml,
                        "--imgsz",
                        "64",
                        "--batch",
                        "3",
                        "--save-json",
                        saved.toString(),
                        "--json");
        assertEquals("weights", viaWeights.get("mode").asText());
        assertEquals("yolov8n", viaWeights.get("model").asText());
        assertEquals(IMAGES, viaWeights.get("images").asInt());
        assertEquals(instances, viaWeights.get("instances").asInt());
        assertTrue(
                viaWeights.get("map50").asDouble() > 0.01,
                "an untrained model still finds some large boxes: " + viaWeights);
        assertTrue(
                viaWeights.get("map50").asDouble() > viaWeights.get("map50_95").asDouble(),
                viaWeights.toString());
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

        JsonNode viaStateDict =
                json(
                        "val",
                        "--weights",
                        plain.toString(),
                        "--data",
                        yaml,
                        "--imgsz",
                        "64",
                        "--json");
        assertEquals(
                "yolov8n",
                viaStateDict.get("model").asText(),
                "family and scale inferred from the state dict");
        assertSameFigures(viaWeights, viaStateDict);
    }

    @Test
    void handMadePredictionsGiveKnownFigures() throws IOException {
        // perfect detections: P = R = 1, and AP 0.995 at every IoU, not 1, exactly as ultralytics
        // reports it
        // (compute_ap's sentinel point (recall 1, precision 0) costs the last 1/100 trapezoid half
        // its area)
        JsonNode perfect =
                json(
                        "val",
                        "--predictions",
                        predictionsFile("perfect.json", c -> true).toString(),
                        "--data",
                        yaml,
                        "--json");
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

        // every circle missed: its AP is 0, the mean over the three classes with labels is 2/3 of a
        // perfect one
        JsonNode noCircles =
                json(
                        "val",
                        "--predictions",
                        predictionsFile("no-circles.json", c -> c != 0).toString(),
                        "--data",
                        yaml,
                        "--json");
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

        CliRun table =
                run("val", "--predictions", dir.resolve("perfect.json").toString(), "--data", yaml);
        assertEquals(0, table.code(), table.err());
        String[] lines = table.out().split("\n");
        assertTrue(lines[0].startsWith("val: " + IMAGES + " images"), table.out());
        assertEquals(
                "                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95)",
                lines[1]);
        assertEquals(
                String.format(
                        "%22s%11d%11d%11s%11s%11s%11s",
                        "all", IMAGES, instances, "1.000", "1.000", "0.995", "0.995"),
                lines[2]);
        assertTrue(lines[3].trim().startsWith("circle "), table.out());
        assertTrue(
                lines[6].startsWith("Speed: ") && lines[6].endsWith("ms postprocess per image"),
                table.out());
    }

    @Test
    void badInputIsOneClearLine() throws IOException {
        Path preds = dir.resolve("bad.json");
        Files.writeString(
                preds,
                "[{\"image_id\": 99, \"category_id\": 0, \"bbox\": [0, 0, 5, 5], \"score\": 0.5}]");
        assertError(
                preds + ": image_id 99 is not an image of the dataset",
                "val",
                "--predictions",
                preds.toString(),
                "--data",
                yaml);

        Files.writeString(
                preds,
                "[{\"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 5, 5], \"score\": 0.5}]");
        assertError(
                preds + ": entry 0: category_id 3 is not a class index 0..2 (3 classes)",
                "val",
                "--predictions",
                preds.toString(),
                "--data",
                yaml);

        Files.writeString(
                preds,
                "[{\"image_id\": 1, \"category_id\": 0, \"bbox\": [0, 0, 5, 5] \"score\": 0.5}]");
        assertError(
                preds + ": not valid JSON",
                "val",
                "--predictions",
                preds.toString(),
                "--data",
                yaml);

        String missing = dir.resolve("nope.safetensors").toString();
        assertError(missing + ": file not found", "val", "--weights", missing, "--data", yaml);
        assertError(
                dir.resolve("nope.json") + ": file not found",
                "val",
                "--predictions",
                dir.resolve("nope.json").toString(),
                "--data",
                yaml);
        assertError("val: give either --weights", "val", "--data", yaml);
        assertError(
                "not both",
                "val",
                "--weights",
                missing,
                "--predictions",
                preds.toString(),
                "--data",
                yaml);
        assertError(
                "unknown split 'test'",
                "val",
                "--predictions",
                preds.toString(),
                "--data",
                yaml,
                "--split",
                "test");

        // the train image 000000 and the val image 000000 in one split: one image_id for two images
        Path dup =
                Files.writeString(
                        dir.resolve("ds/dup.yaml"),
                        "train: images/train\nval: [images/val, images/train]\nnames: [circle, rectangle, triangle]\n");
        Path empty = Files.writeString(dir.resolve("none.json"), "[]");
        assertError(
                "both have COCO image_id 0 (from the file stem); rename one",
                "val",
                "--predictions",
                empty.toString(),
                "--data",
                dup.toString());

        Path twoClasses = dir.resolve("nc2.safetensors");
        try (YoloModel m =
                YoloModel.create(
                        GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2),
                        1,
                        Device.cpu())) {
            Checkpoint.save(m, twoClasses.toString(), Map.of());
        }
        assertError(
                twoClasses + " predicts 2 classes but " + yaml + " has 3",
                "val",
                "--weights",
                twoClasses.toString(),
                "--data",
                yaml,
                "--imgsz",
                "64");
        Path threeClasses = dir.resolve("nc3.safetensors");
        try (YoloModel m =
                YoloModel.create(
                        GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 3),
                        1,
                        Device.cpu())) {
            Checkpoint.save(m, threeClasses.toString(), Map.of());
        }
        assertError(
                "val: --imgsz 100 is not a multiple of the model's largest stride 32; use e.g. 96",
                "val",
                "--weights",
                threeClasses.toString(),
                "--data",
                yaml,
                "--imgsz",
                "100");
    }

    /**
     * A seeded YOLOv8n checkpoint whose weights make it see its input, and its ONNX export (through
     * the CLI) at 64 px, made once for the ONNX tests. A freshly initialised network is blind
     * (every score the prior of its level), so it could not tell whether two runtimes were fed the
     * same pixels.
     */
    static Path onnxCheckpoint;

    static Path onnxExport;

    static synchronized Path onnxExport() {
        if (onnxExport != null) {
            return onnxExport;
        }
        Path ckpt = dir.resolve("onnx/v8n.safetensors");
        Path onnx = dir.resolve("onnx/v8n.onnx");
        try (YoloModel m =
                YoloModel.create(
                        GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 3),
                        11,
                        Device.cpu())) {
            YoloOnnxExporterTest.sensitiveWeights(m, 11);
            Checkpoint.save(m, ckpt.toString(), Map.of());
        }
        CliRun r =
                run(
                        "export",
                        "--weights",
                        ckpt.toString(),
                        "--format",
                        "onnx",
                        "--imgsz",
                        "64",
                        "--out",
                        onnx.toString());
        assertEquals(0, r.code(), r.err());
        onnxCheckpoint = ckpt;
        onnxExport = onnx;
        return onnx;
    }

    /**
     * The export of {@code model} with its batch dimension fixed, as exporters without dynamic axes
     * write it.
     */
    static byte[] fixedBatchExport(YoloModel model, int imgsz, int batch) {
        OnnxGraph g = YoloOnnxExporter.graph(model, imgsz);
        java.util.function.UnaryOperator<List<OnnxValueInfo>> fix =
                infos ->
                        infos.stream()
                                .map(
                                        v -> {
                                            List<Dim> shape = new ArrayList<>(v.shape());
                                            shape.set(0, Dim.of(batch));
                                            return new OnnxValueInfo(v.name(), v.elemType(), shape);
                                        })
                                .toList();
        return new OnnxGraph(
                        g.name(),
                        g.nodes(),
                        g.initializers(),
                        fix.apply(g.inputs()),
                        fix.apply(g.outputs()))
                .toModelBytes(YoloOnnxExporter.metadata(model.graph(), imgsz));
    }

    /**
     * The engine's and ONNX Runtime's figures agree: only the runtime differs, not letterbox, NMS
     * or matching.
     */
    static void assertAgree(JsonNode engine, JsonNode onnx) {
        for (String k : new String[] {"precision", "recall", "map50", "map50_95"}) {
            assertEquals(
                    engine.get(k).asDouble(),
                    onnx.get(k).asDouble(),
                    0.002,
                    k + ": " + engine + " vs " + onnx);
        }
        assertEquals(engine.get("images").asInt(), onnx.get("images").asInt());
        assertEquals(engine.get("instances").asInt(), onnx.get("instances").asInt());
        assertEquals(engine.get("per_class").size(), onnx.get("per_class").size());
    }

    /**
     * Every detection of {@code a} scoring at least 0.01 is in {@code b}: same image and class,
     * score within 1e-4, box within 0.01 px (original pixels).
     */
    static void assertSameDetections(JsonNode a, JsonNode b) {
        Map<Integer, List<JsonNode>> byImage = new java.util.HashMap<>();
        for (JsonNode d : b) {
            byImage.computeIfAbsent(d.get("image_id").asInt(), k -> new ArrayList<>()).add(d);
        }
        int checked = 0;
        for (JsonNode d : a) {
            if (d.get("score").asDouble() < 0.01) {
                continue;
            }
            checked++;
            boolean found = false;
            for (JsonNode e : byImage.getOrDefault(d.get("image_id").asInt(), List.of())) {
                boolean same =
                        e.get("category_id").asInt() == d.get("category_id").asInt()
                                && Math.abs(e.get("score").asDouble() - d.get("score").asDouble())
                                        <= 1e-4;
                for (int i = 0; same && i < 4; i++) {
                    same =
                            Math.abs(
                                            e.get("bbox").get(i).asDouble()
                                                    - d.get("bbox").get(i).asDouble())
                                    <= 0.01;
                }
                if (same) {
                    found = true;
                    break;
                }
            }
            assertTrue(found, "no counterpart for " + d);
        }
        assertTrue(checked >= 10 * IMAGES, "only " + checked + " detections above 0.01 to compare");
    }

    @Test
    void onnxExportScoresAsTheEngine() throws IOException {
        Path onnx = onnxExport();
        Path enginePreds = dir.resolve("onnx/engine.json");
        Path ortPreds = dir.resolve("onnx/ort.json");
        JsonNode engine =
                json(
                        "val",
                        "--weights",
                        onnxCheckpoint.toString(),
                        "--data",
                        yaml,
                        "--imgsz",
                        "64",
                        "--batch",
                        "3",
                        "--save-json",
                        enginePreds.toString(),
                        "--json");
        JsonNode ort =
                json(
                        "val",
                        "--weights",
                        onnx.toString(),
                        "--data",
                        yaml,
                        "--imgsz",
                        "64",
                        "--batch",
                        "3",
                        "--save-json",
                        ortPreds.toString(),
                        "--json");
        assertEquals("djl", engine.get("runtime").asText());
        assertEquals("onnxruntime", ort.get("runtime").asText());
        assertEquals("weights", ort.get("mode").asText());
        assertEquals(onnx.toString(), ort.get("weights").asText());
        assertEquals("yolov8n", ort.get("model").asText(), "from the export's metadata");
        assertEquals(3, ort.get("batch").asInt());
        assertEquals(IMAGES, ort.get("images").asInt());
        assertEquals(instances, ort.get("instances").asInt());
        assertTrue(
                engine.get("map50").asDouble() > 0.01,
                "the figures must not be all zero to compare: " + engine);
        assertTrue(ort.get("speed").get("inference").asDouble() > 0, ort.toString());
        assertAgree(engine, ort);
        // figures move little with the pixels, detections do: the same letterboxed input gives the
        // same boxes
        assertSameDetections(JSON.readTree(enginePreds.toFile()), JSON.readTree(ortPreds.toFile()));
        assertSameDetections(JSON.readTree(ortPreds.toFile()), JSON.readTree(enginePreds.toFile()));

        // a fixed batch of 3, named by a file: URI: the 8 images run as 3 + 3 + 2, the last batch
        // padded
        Path fixed = dir.resolve("onnx/v8n-b3.onnx");
        try (YoloModel m = Checkpoint.load(onnxCheckpoint.toString(), null, Device.cpu())) {
            Files.write(fixed, fixedBatchExport(m, 64, 3));
        }
        CliRun r =
                run(
                        "val",
                        "--weights",
                        fixed.toUri().toString(),
                        "--data",
                        yaml,
                        "--imgsz",
                        "64",
                        "--json");
        assertEquals(0, r.code(), r.err());
        List<String> said = r.err().lines().filter(l -> l.contains("fixed batch")).toList();
        assertEquals(
                List.of(
                        "val: "
                                + fixed.toUri()
                                + " has a fixed batch size of 3: batches of 3, the last one padded"
                                + " with blank images (--batch 16 ignored)"),
                said,
                r.err());
        JsonNode padded = JSON.readTree(r.out());
        assertEquals(3, padded.get("batch").asInt());
        assertAgree(engine, padded);

        // the printed table names the runtime too
        CliRun table = run("val", "--weights", onnx.toString(), "--data", yaml, "--imgsz", "64");
        assertEquals(0, table.code(), table.err());
        String[] lines = table.out().strip().split("\n");
        assertTrue(
                lines[lines.length - 1].startsWith("Speed: ")
                        && lines[lines.length - 1].endsWith(" per image (runtime: onnxruntime)"),
                table.out());
    }

    @Test
    void onnxBadInputIsOneClearLine() throws IOException {
        Path onnx = onnxExport();
        assertError(
                "val: --imgsz 96 does not match the fixed input size 64x64 of "
                        + onnx
                        + "; use --imgsz 64 or export the model again at 96",
                "val",
                "--weights",
                onnx.toString(),
                "--data",
                yaml,
                "--imgsz",
                "96");
        assertError(
                "val: "
                        + onnx
                        + " is an ONNX model, which carries its own graph; drop --model/--scale/--nc",
                "val",
                "--weights",
                onnx.toString(),
                "--model",
                "yolov8",
                "--scale",
                "n",
                "--data",
                yaml,
                "--imgsz",
                "64");
        Path missing = dir.resolve("onnx/nope.onnx");
        assertError(
                missing + ": file not found",
                "val",
                "--weights",
                missing.toString(),
                "--data",
                yaml);
        Path junk = Files.writeString(dir.resolve("onnx/junk.onnx"), "not a model");
        assertError(
                junk + ": ONNX Runtime cannot load it: ",
                "val",
                "--weights",
                junk.toString(),
                "--data",
                yaml,
                "--imgsz",
                "64");
        Path twoClasses = dir.resolve("onnx/nc2.onnx");
        try (YoloModel m =
                YoloModel.create(
                        GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2),
                        1,
                        Device.cpu())) {
            Files.write(twoClasses, YoloOnnxExporter.toBytes(m, 64));
        }
        assertError(
                twoClasses + " predicts 2 classes (output [-1, 6, 84]) but " + yaml + " has 3",
                "val",
                "--weights",
                twoClasses.toString(),
                "--data",
                yaml,
                "--imgsz",
                "64");
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
