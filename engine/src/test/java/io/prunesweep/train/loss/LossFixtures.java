package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Cases of src/test/resources/loss/random_cases.json (see the README there). */
final class LossFixtures {
    private LossFixtures() {}

    static JsonNode cases() {
        try (InputStream in = LossFixtures.class.getResourceAsStream("/loss/random_cases.json")) {
            return new ObjectMapper().readTree(in).get("cases");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static NDList feats(NDManager m, JsonNode c) {
        NDList out = new NDList();
        for (JsonNode f : c.get("feats")) {
            long[] shape = new long[4];
            for (int i = 0; i < 4; i++) {
                shape[i] = f.get("shape").get(i).asLong();
            }
            out.add(m.create(floats(f.get("data")), new Shape(shape)));
        }
        return out;
    }

    static NDArray targets(NDManager m, JsonNode c) {
        return m.create(floats(c.get("targets")), new Shape(c.get("numTargets").asInt(), 6));
    }

    static float[] strides(JsonNode c) {
        return floats(c.get("strides"));
    }

    static DetectionLoss loss(JsonNode c) {
        return new DetectionLoss(
                c.get("nc").asInt(),
                c.get("regMax").asInt(),
                strides(c),
                LossGains.DEFAULTS,
                new AssignerSettings(c.get("topk").asInt(), 0.5f, 6.0f, 1e-9f));
    }

    static float[] floats(JsonNode arr) {
        float[] f = new float[arr.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) arr.get(i).asDouble();
        }
        return f;
    }
}
