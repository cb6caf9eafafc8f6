package io.prunesweep.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DetectionLossTest {
    static final JsonNode CASES = LossFixtures.cases();

    /** Relative to the value, with a floor so exact zeros compare absolutely. */
    static void assertClose(double want, double got, String what) {
        assertEquals(want, got, 1e-4 * Math.max(Math.abs(want), 1e-2), what);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void matchesNumpyReference(int index) {
        JsonNode c = CASES.get(index);
        JsonNode want = c.get("expected");
        try (NDManager m = NDManager.newBaseManager()) {
            LossOutput out =
                    LossFixtures.loss(c)
                            .compute(
                                    LossFixtures.feats(m, c),
                                    LossFixtures.targets(m, c),
                                    c.get("imgH").asInt(),
                                    c.get("imgW").asInt());
            String name = c.get("description").asText();
            assertClose(want.get("box").asDouble(), out.box(), name + " box");
            assertClose(want.get("cls").asDouble(), out.cls(), name + " cls");
            assertClose(want.get("dfl").asDouble(), out.dfl(), name + " dfl");
            assertClose(want.get("total").asDouble(), out.total().getFloat(), name + " total");
            assertEquals(new Shape(), out.total().getShape());
            assertEquals(DataType.FLOAT32, out.total().getDataType());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void assignmentMatchesNumpyReference(int index) {
        JsonNode c = CASES.get(index);
        JsonNode want = c.get("expected");
        try (NDManager m = NDManager.newBaseManager()) {
            var as =
                    LossFixtures.loss(c)
                            .prepare(
                                    m,
                                    LossFixtures.feats(m, c),
                                    LossFixtures.targets(m, c),
                                    c.get("imgH").asInt(),
                                    c.get("imgW").asInt())
                            .assignment();
            long na = as.fg().getShape().get(1);
            boolean[] fg = as.fg().toBooleanArray();
            long[] gtIdx = as.gtIndex().toLongArray();
            float[] rowSums = as.weight().toFloatArray(); // = target_scores.sum(-1)
            for (int b = 0; b < c.get("batch").asInt(); b++) {
                List<Integer> got = new ArrayList<>();
                for (int a = 0; a < na; a++) {
                    if (fg[(int) (b * na + a)]) {
                        got.add(a);
                    }
                }
                JsonNode wantFg = want.get("fgAnchors").get(b);
                assertEquals(wantFg.size(), got.size(), "positives of image " + b);
                for (int i = 0; i < got.size(); i++) {
                    int a = got.get(i);
                    assertEquals(wantFg.get(i).asInt(), a, "image " + b);
                    assertEquals(
                            want.get("gtIndex").get(b).get(i).asLong(), gtIdx[(int) (b * na + a)]);
                    assertClose(
                            want.get("targetScoreRowSums").get(b).get(i).asDouble(),
                            rowSums[(int) (b * na + a)],
                            "target score of image " + b + " anchor " + a);
                }
            }
        }
    }

    @Test
    void gradientsReachTheFeatureMaps() {
        JsonNode c = CASES.get(0); // image 0 has 5 boxes, image 1 none; its target score sum is 1
        // (clamped)
        try (NDManager m = NDManager.newBaseManager()) {
            NDList feats = LossFixtures.feats(m, c);
            feats.forEach(f -> f.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                LossOutput out =
                        LossFixtures.loss(c).compute(feats, LossFixtures.targets(m, c), 64, 64);
                gc.backward(out.total());
            }
            int regMax = 16;
            for (NDArray f : feats) {
                NDArray g = f.getGradient();
                assertTrue(
                        g.isNaN().logicalOr(g.isInfinite()).none().getBoolean(), "finite gradient");
                assertTrue(g.abs().sum().getFloat() > 0, "non-zero gradient");
            }
            // Box logits of the image with boxes get gradient (CIoU + DFL); the empty image's
            // don't.
            NDArray g0 = feats.get(0).getGradient();
            assertTrue(g0.get("0, 0:64").abs().sum().getFloat() > 1e-3);
            assertEquals(0f, g0.get("1, 0:64").abs().sum().getFloat());
            // Class logits of the empty image: d/dx of 2 * 0.5 * BCE(x, 0) / 1 = sigmoid(x),
            // exactly.
            NDArray x = feats.get(0).get("1, 64:67");
            NDArray expected = x.neg().exp().add(1f).pow(-1f);
            float maxErr = g0.get("1, 64:67").sub(expected).abs().max().getFloat();
            assertTrue(maxErr < 1e-6, "cls gradient of background image off by " + maxErr);
        }
    }

    @Test
    void backgroundOnlyBatchGivesFiniteClsAndZeroBoxLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDList feats = new NDList();
            for (int s : new int[] {8, 4, 2}) {
                feats.add(m.randomNormal(0f, 1f, new Shape(2, 64 + 3, s, s), DataType.FLOAT32));
            }
            feats.forEach(f -> f.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                LossOutput out =
                        new DetectionLoss(3, new float[] {8, 16, 32})
                                .compute(feats, m.zeros(new Shape(0, 6)), 64, 64);
                assertEquals(0f, out.box());
                assertEquals(0f, out.dfl());
                assertTrue(Float.isFinite(out.cls()) && out.cls() > 0);
                assertEquals(2 * out.cls(), out.total().getFloat(), 1e-4);
                gc.backward(out.total());
            }
            assertTrue(feats.get(0).getGradient().get(":, 64:67").abs().sum().getFloat() > 0);
        }
    }

    @Test
    void boxHoldingNoAnchorCentreGivesNoPositives() {
        JsonNode c = CASES.get(2); // the no-target case: same feats, its cls value is the reference
        try (NDManager m = NDManager.newBaseManager()) {
            NDList feats = LossFixtures.feats(m, c);
            feats.forEach(f -> f.setRequiresGradient(true));
            // 2x2 px box at (33, 33) px: no stride-8/16/32 anchor centre (4 + 8k, 8 + 16k, 16 +
            // 32k) lies inside
            NDArray tiny =
                    m.create(
                            new float[] {1, 2, 33f / 64, 33f / 64, 2f / 64, 2f / 64},
                            new Shape(1, 6));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                LossOutput out = LossFixtures.loss(c).compute(feats, tiny, 64, 64);
                assertEquals(0f, out.box());
                assertEquals(0f, out.dfl());
                assertClose(
                        c.get("expected").get("cls").asDouble(),
                        out.cls(),
                        "cls without positives");
                gc.backward(out.total());
            }
            NDArray g = feats.get(0).getGradient();
            assertTrue(g.isNaN().none().getBoolean());
            assertEquals(0f, g.get(":, 0:64").abs().sum().getFloat());
        }
    }

    @Test
    void gradientDescentOnFeatureMapsLowersEveryComponent() {
        // Plain GD on the head outputs themselves (lr 0.5): 12 steps take box 6.01 -> 3.12, cls 232
        // -> 54, dfl 5.45 -> 4.23.
        JsonNode c = CASES.get(1);
        DetectionLoss loss = LossFixtures.loss(c);
        try (NDManager m = NDManager.newBaseManager()) {
            NDList feats = LossFixtures.feats(m, c);
            NDArray targets = LossFixtures.targets(m, c);
            LossOutput first = null;
            LossOutput last = null;
            for (int step = 0; step < 12; step++) {
                try (NDManager stepMgr = m.newSubManager()) {
                    NDList params = new NDList();
                    for (NDArray f : feats) {
                        NDArray p = f.duplicate();
                        p.attach(stepMgr);
                        p.setRequiresGradient(true);
                        params.add(p);
                    }
                    LossOutput out;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        out = loss.compute(params, targets, 64, 96);
                        gc.backward(out.total());
                    }
                    for (int l = 0; l < feats.size(); l++) {
                        feats.get(l).subi(params.get(l).getGradient().mul(0.5f));
                    }
                    if (first == null) {
                        first = out;
                    }
                    last = out;
                }
            }
            assertTrue(last.cls() < 0.5 * first.cls(), first + " -> " + last);
            assertTrue(last.box() < first.box(), "box " + first.box() + " -> " + last.box());
            assertTrue(last.dfl() < first.dfl(), "dfl " + first.dfl() + " -> " + last.dfl());
        }
    }

    @Test
    void onlyTheTotalIsLeftInTheCallersManager() {
        JsonNode c = CASES.get(0);
        try (NDManager m = NDManager.newBaseManager()) {
            NDList feats = LossFixtures.feats(m, c);
            NDArray targets = LossFixtures.targets(m, c);
            try (NDManager step = m.newSubManager()) {
                NDList stepFeats = new NDList();
                for (NDArray f : feats) {
                    NDArray d = f.duplicate();
                    d.attach(step);
                    stepFeats.add(d);
                }
                int before = step.getManagedArrays().size();
                LossOutput out = LossFixtures.loss(c).compute(stepFeats, targets, 64, 64);
                assertEquals(before + 1, step.getManagedArrays().size());
                assertTrue(step.getManagedArrays().contains(out.total()));
            }
        }
    }
}
