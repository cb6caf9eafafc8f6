package io.prunesweep.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed cases of ultralytics' matching and AP. */
class DetectionMetricsTest {
    private static final List<String> NAMES = List.of("cat", "dog", "bird");
    private static final int ALL = (1 << 10) - 1;

    static Detections dets(float[][] rows) {
        float[] b = new float[4 * rows.length];
        float[] s = new float[rows.length];
        int[] c = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, b, 4 * i, 4);
            s[i] = rows[i][4];
            c[i] = (int) rows[i][5];
        }
        return new Detections(b, s, c);
    }

    static GroundTruth gt(float[][] rows) {
        float[] b = new float[4 * rows.length];
        int[] c = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, b, 4 * i, 4);
            c[i] = (int) rows[i][4];
        }
        return new GroundTruth(b, c);
    }

    /**
     * Perfect detections score 0.995, not 1, in ultralytics: {@code compute_ap} appends the
     * sentinel point (recall 1, precision 0) and {@code np.interp} at recall 1 takes that last
     * knot, so the final trapezoid is (1 + 0) / 2 * 0.01. Users comparing against ultralytics see
     * 0.995, so we report it too.
     */
    static final double PERFECT_AP = 0.995;

    @Test
    void perfectPredictionsScoreLikeUltralytics() {
        DetectionMetrics m = new DetectionMetrics(NAMES);
        m.add(
                dets(new float[][] {{10, 10, 50, 60, 0.9f, 0}, {100, 100, 180, 150, 0.8f, 1}}),
                gt(new float[][] {{10, 10, 50, 60, 0}, {100, 100, 180, 150, 1}}));
        m.add(dets(new float[][] {{5, 5, 25, 25, 0.7f, 0}}), gt(new float[][] {{5, 5, 25, 25, 0}}));
        DetectionResult r = m.result();
        assertEquals(PERFECT_AP, r.map50(), 1e-12);
        assertEquals(PERFECT_AP, r.map50to95(), 1e-12);
        assertEquals(1.0, r.precision(), 1e-12);
        assertEquals(1.0, r.recall(), 1e-12);
        assertEquals(PERFECT_AP, r.fitness(), 1e-12);
        assertEquals(2, r.images());
        assertEquals(3, r.instances());
        assertEquals(2, r.perClass().size(), "bird has no ground truth, so no row");
        assertEquals(2, r.perClass().get(0).images());
        assertEquals(2, r.perClass().get(0).instances());
        assertEquals(1, r.perClass().get(1).images());
    }

    @Test
    void noPredictionsScoreZero() {
        DetectionMetrics m = new DetectionMetrics(NAMES);
        m.add(Detections.EMPTY, gt(new float[][] {{10, 10, 50, 60, 0}, {0, 0, 5, 5, 2}}));
        DetectionResult r = m.result();
        assertEquals(0.0, r.map50());
        assertEquals(0.0, r.map50to95());
        assertEquals(0.0, r.precision());
        assertEquals(0.0, r.recall());
        assertEquals(2, r.perClass().size());
        assertEquals(2, r.instances());
    }

    @Test
    void noGroundTruthAtAllScoresZero() {
        DetectionMetrics m = new DetectionMetrics(NAMES);
        m.add(dets(new float[][] {{10, 10, 50, 60, 0.9f, 0}}), GroundTruth.EMPTY);
        DetectionResult r = m.result();
        assertEquals(0.0, r.map50());
        assertEquals(0.0, r.precision());
        assertEquals(0, r.perClass().size());
        assertEquals(1, r.images());
    }

    @Test
    void classWithoutGroundTruthDoesNotEnterTheMean() {
        DetectionMetrics m = new DetectionMetrics(NAMES);
        // a confident "bird" that is no object: a false positive of a class nobody labelled
        m.add(
                dets(new float[][] {{10, 10, 50, 60, 0.95f, 2}, {10, 10, 50, 60, 0.9f, 0}}),
                gt(new float[][] {{10, 10, 50, 60, 0}}));
        m.add(dets(new float[][] {{0, 0, 30, 30, 0.8f, 1}}), gt(new float[][] {{0, 0, 30, 30, 1}}));
        DetectionResult r = m.result();
        assertEquals(PERFECT_AP, r.map50(), 1e-12);
        assertEquals(PERFECT_AP, r.map50to95(), 1e-12);
        assertEquals(
                List.of(0, 1),
                r.perClass().stream().map(DetectionResult.ClassResult::index).toList());
    }

    @Test
    void oneMissedObjectHalvesRecall() {
        DetectionMetrics m = new DetectionMetrics(NAMES);
        m.add(
                dets(new float[][] {{10, 10, 50, 60, 0.9f, 0}}),
                gt(new float[][] {{10, 10, 50, 60, 0}, {200, 200, 260, 250, 0}}));
        DetectionResult r = m.result();
        // recall 0.5 at precision 1: envelope 1 on [0, 0.5], then linear to 0 at recall 1 -> 0.5 +
        // 0.25
        assertEquals(0.75, r.map50(), 1e-12);
        assertEquals(0.75, r.map50to95(), 1e-12);
        assertEquals(1.0, r.precision(), 1e-12);
        assertEquals(0.5, r.recall(), 1e-12);
    }

    @Test
    void duplicateDetectionIsAFalsePositive() {
        Detections d = dets(new float[][] {{10, 10, 50, 60, 0.9f, 0}, {10, 10, 50, 60, 0.3f, 0}});
        GroundTruth g = gt(new float[][] {{10, 10, 50, 60, 0}});
        assertArrayEquals(new int[] {ALL, 0}, PredictionMatcher.match(d, g));
        DetectionMetrics m = new DetectionMetrics(NAMES);
        m.add(d, g);
        DetectionResult r = m.result();
        assertEquals(
                PERFECT_AP,
                r.map50(),
                1e-12,
                "the duplicate ranks after the hit: the envelope is unchanged");
        assertEquals(1.0, r.recall(), 1e-12);
        assertTrue(r.precision() < 1.0 && r.precision() > 0.5, "precision " + r.precision());
    }

    @Test
    void labelGoesToTheFirstDetectionThatChoseIt() {
        // A (higher score) overlaps the label with IoU 0.64, B (lower score) with IoU 1: at
        // thresholds A
        // qualifies for, A takes the label and B is a false positive; above 0.64 only B qualifies.
        GroundTruth g = gt(new float[][] {{0, 0, 10, 10, 0}});
        Detections d = dets(new float[][] {{0, 0, 10, 6.4f, 0.9f, 0}, {0, 0, 10, 10, 0.8f, 0}});
        int[] flags = PredictionMatcher.match(d, g);
        assertEquals(0b0000000111, flags[0]);
        assertEquals(0b1111111000, flags[1]);
    }

    @Test
    void detectionWhoseBestLabelIsTakenIsFalsePositiveEvenWithAnotherLabelFree() {
        // ultralytics' matching is not an optimal assignment: B's best label is G0 (IoU 0.74),
        // taken by A;
        // G1 stays free although B overlaps it by 0.6, so B counts as a false positive at every
        // threshold
        GroundTruth g = gt(new float[][] {{0, 0, 10, 10, 0}, {4, 0, 14, 10, 0}});
        Detections d = dets(new float[][] {{0, 0, 10, 10, 0.9f, 0}, {1.5f, 0, 11.5f, 10, 0.8f, 0}});
        assertArrayEquals(new int[] {ALL, 0}, PredictionMatcher.match(d, g));
    }

    @Test
    void classConfusion() {
        DetectionMetrics m = new DetectionMetrics(NAMES);
        // the cat is called a dog (score 0.9); the dog is found (score 0.8)
        m.add(
                dets(new float[][] {{0, 0, 10, 10, 0.9f, 1}, {50, 50, 70, 70, 0.8f, 1}}),
                gt(new float[][] {{0, 0, 10, 10, 0}, {50, 50, 70, 70, 1}}));
        DetectionResult r = m.result();
        DetectionResult.ClassResult cat = r.perClass().get(0);
        DetectionResult.ClassResult dog = r.perClass().get(1);
        assertEquals(0.0, cat.ap50());
        // dog: recall [0, 1], precision [0, 0.5]; envelope 0.5 on recall [0, 1) and 0 at 1:
        // 99 trapezoids of 0.5 and a last one of (0.5 + 0) / 2, each 0.01 wide
        assertEquals(0.4975, dog.ap50(), 1e-12);
        assertEquals(0.4975, dog.ap50to95(), 1e-12);
        assertEquals(0.4975 / 2, r.map50(), 1e-12);
    }

    @Test
    void boxesExactlyAtThresholds() {
        float[] thr = PredictionMatcher.iouThresholds();
        assertEquals(0.5f, thr[0]);
        assertEquals(0.95f, thr[9]);
        for (int t = 0; t < 10; t++) {
            assertEquals(0.5 + 0.05 * t, thr[t], 1e-6);
        }
        GroundTruth g = gt(new float[][] {{0, 0, 10, 10, 0}});
        // IoU exactly 0.5 (50 / 100; the 1e-7 epsilon vanishes in float32 at this scale): a hit at
        // 0.50 only
        assertArrayEquals(
                new int[] {1},
                PredictionMatcher.match(dets(new float[][] {{0, 0, 10, 5, 0.9f, 0}}), g));
        // IoU exactly 0.95f: a hit at every threshold
        assertArrayEquals(
                new int[] {ALL},
                PredictionMatcher.match(dets(new float[][] {{0, 0, 10, 9.5f, 0.9f, 0}}), g));
        // just below 0.95: nine
        assertArrayEquals(
                new int[] {ALL >> 1},
                PredictionMatcher.match(dets(new float[][] {{0, 0, 10, 9.49f, 0.9f, 0}}), g));
        // just below 0.5: none
        assertArrayEquals(
                new int[] {0},
                PredictionMatcher.match(dets(new float[][] {{0, 0, 10, 4.99f, 0.9f, 0}}), g));
    }

    @Test
    void resultJsonHasTheReportedKeys() throws Exception {
        DetectionMetrics m = new DetectionMetrics(NAMES);
        m.add(
                dets(new float[][] {{10, 10, 50, 60, 0.9f, 0}}),
                gt(new float[][] {{10, 10, 50, 60, 0}, {200, 200, 260, 250, 0}}));
        JsonNode j = new ObjectMapper().readTree(m.result().toJson());
        assertEquals(0.75, j.get("map50").doubleValue(), 1e-12);
        assertEquals(0.75, j.get("map50_95").doubleValue(), 1e-12);
        assertEquals(1.0, j.get("precision").doubleValue(), 1e-12);
        assertEquals(0.5, j.get("recall").doubleValue(), 1e-12);
        JsonNode c = j.get("per_class").get(0);
        assertEquals("cat", c.get("name").asText());
        assertEquals(1, c.get("images").intValue());
        assertEquals(2, c.get("instances").intValue());
        for (String k : List.of("p", "r", "ap50", "ap50_95")) {
            assertTrue(c.has(k), k);
        }
    }

    @Test
    void groundTruthFromYoloLabels() {
        GroundTruth g =
                GroundTruth.fromNormalizedXywh(
                        new float[] {0.5f, 0.25f, 0.5f, 0.5f}, new int[] {2}, 640, 480);
        assertArrayEquals(new float[] {160, 0, 480, 240}, g.boxes());
        assertArrayEquals(new int[] {2}, g.classes());
    }

    @Test
    void rejectsClassOutsideNames() {
        DetectionMetrics m = new DetectionMetrics(NAMES);
        assertThrows(
                IllegalArgumentException.class,
                () -> m.add(Detections.EMPTY, gt(new float[][] {{0, 0, 1, 1, 3}})));
    }
}
