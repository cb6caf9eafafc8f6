package io.prunesweep.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Reproduces the figures of an independent NumPy implementation of ultralytics' metrics on a random
 * set.
 */
class DetectionMetricsReferenceTest {
    private static final double TOL = 1e-6;

    @Test
    void matchesNumpyReference() {
        ReferenceFixture fx = ReferenceFixture.load();
        DetectionMetrics metrics = new DetectionMetrics(fx.names());
        int[] tpPerThreshold = new int[PredictionMatcher.NUM_THRESHOLDS];
        for (ReferenceFixture.Image im : fx.images()) {
            metrics.add(im.pred(), im.gt());
            for (int flags : PredictionMatcher.match(im.pred(), im.gt())) {
                for (int t = 0; t < tpPerThreshold.length; t++) {
                    tpPerThreshold[t] += flags >>> t & 1;
                }
            }
        }
        JsonNode exp = fx.expected();
        int[] expTp = new int[tpPerThreshold.length];
        for (int t = 0; t < expTp.length; t++) {
            expTp[t] = exp.get("tp_per_threshold").get(t).intValue();
        }
        assertArrayEquals(expTp, tpPerThreshold, "true positives per IoU threshold");

        DetectionResult r = metrics.result();
        assertEquals(exp.get("images").intValue(), r.images());
        assertEquals(exp.get("instances").intValue(), r.instances());
        assertEquals(exp.get("map50").doubleValue(), r.map50(), TOL);
        assertEquals(exp.get("map50_95").doubleValue(), r.map50to95(), TOL);
        assertEquals(exp.get("precision").doubleValue(), r.precision(), TOL);
        assertEquals(exp.get("recall").doubleValue(), r.recall(), TOL);
        assertEquals(exp.get("fitness").doubleValue(), r.fitness(), TOL);
        assertEquals(exp.get("per_class").size(), r.perClass().size());
        for (int k = 0; k < r.perClass().size(); k++) {
            JsonNode e = exp.get("per_class").get(k);
            DetectionResult.ClassResult c = r.perClass().get(k);
            assertEquals(e.get("index").intValue(), c.index());
            assertEquals(fx.names().get(c.index()), c.name());
            assertEquals(e.get("images").intValue(), c.images(), "images of class " + c.index());
            assertEquals(
                    e.get("instances").intValue(),
                    c.instances(),
                    "instances of class " + c.index());
            assertEquals(e.get("p").doubleValue(), c.p(), TOL, "P of class " + c.index());
            assertEquals(e.get("r").doubleValue(), c.r(), TOL, "R of class " + c.index());
            assertEquals(e.get("ap50").doubleValue(), c.ap50(), TOL, "AP50 of class " + c.index());
            assertEquals(
                    e.get("ap50_95").doubleValue(),
                    c.ap50to95(),
                    TOL,
                    "AP50-95 of class " + c.index());
        }
        // same arithmetic order as NumPy: not just within tolerance but (here) to the last bits
        assertEquals(exp.get("map50_95").doubleValue(), r.map50to95(), 1e-15);
        assertEquals(exp.get("precision").doubleValue(), r.precision(), 1e-15);
    }
}
