package io.prunesweep.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The NumPy-reference fixture {@code eval/ap_reference.json} (see the README next to it). */
record ReferenceFixture(List<String> names, List<Image> images, JsonNode expected) {
    record Image(String stem, GroundTruth gt, Detections pred) {}

    static ReferenceFixture load() {
        try (InputStream in =
                ReferenceFixture.class.getResourceAsStream("/eval/ap_reference.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<String> names = new ArrayList<>();
            root.get("names").forEach(n -> names.add(n.asText()));
            List<Image> images = new ArrayList<>();
            for (JsonNode im : root.get("images")) {
                JsonNode gt = im.get("gt");
                JsonNode pr = im.get("pred");
                images.add(
                        new Image(
                                im.get("stem").asText(),
                                new GroundTruth(boxes(gt.get("boxes")), ints(gt.get("classes"))),
                                new Detections(
                                        boxes(pr.get("boxes")),
                                        floats(pr.get("scores")),
                                        ints(pr.get("classes")))));
            }
            return new ReferenceFixture(names, images, root.get("expected"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[] boxes(JsonNode rows) {
        float[] b = new float[4 * rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int k = 0; k < 4; k++) {
                b[4 * i + k] = (float) rows.get(i).get(k).doubleValue();
            }
        }
        return b;
    }

    private static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) a.get(i).doubleValue();
        }
        return v;
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).intValue();
        }
        return v;
    }
}
