package io.prunesweep.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NmsTest {
    /**
     * Builds a {@code [batch, 4 + nc, anchors]} output from per-image anchor rows {@code cx, cy, w,
     * h, s0..}.
     */
    static float[] output(int nc, float[][]... images) {
        int anchors = images[0].length;
        int ch = 4 + nc;
        float[] out = new float[images.length * ch * anchors];
        for (int b = 0; b < images.length; b++) {
            for (int a = 0; a < anchors; a++) {
                for (int c = 0; c < ch; c++) {
                    out[(b * ch + c) * anchors + a] = images[b][a][c];
                }
            }
        }
        return out;
    }

    static Detections one(int nc, NmsConfig cfg, float[][] anchors) {
        List<Detections> r = Nms.apply(output(nc, anchors), 1, 4 + nc, anchors.length, cfg);
        assertEquals(1, r.size());
        return r.get(0);
    }

    @Test
    void suppressesOverlapOfSameClassKeepsHighestScore() {
        // 100x100 boxes shifted by 10 px: IoU 90*100 / (2*10000 - 9000) = 0.818 > 0.7
        Detections d =
                one(
                        2,
                        NmsConfig.VALIDATION,
                        new float[][] {
                            {100, 100, 100, 100, 0.6f, 0f},
                            {110, 100, 100, 100, 0.9f, 0f},
                        });
        assertEquals(1, d.size());
        assertEquals(0.9f, d.scores()[0]);
        assertArrayEquals(new float[] {60, 50, 160, 150}, d.boxes());
        assertEquals(0, d.classes()[0]);
    }

    @Test
    void iouThresholdIsComparedAsDoubleLikeTorchvision() {
        // IoU 75 / 125 = 0.6 computes to 0.6f = 0.60000002 in float32, which is above the double
        // 0.6
        float[][] anchors = {{5, 5, 10, 10, 0.9f}, {7.5f, 5, 10, 10, 0.8f}};
        assertEquals(1, one(1, NmsConfig.VALIDATION.withIou(0.6), anchors).size());
        assertEquals(2, one(1, NmsConfig.VALIDATION.withIou(0.6f), anchors).size());
    }

    @Test
    void keepsOverlapBelowThreshold() {
        // shifted by 30 px: IoU 7000 / 13000 = 0.54 <= 0.7
        Detections d =
                one(
                        1,
                        NmsConfig.VALIDATION,
                        new float[][] {
                            {100, 100, 100, 100, 0.6f},
                            {130, 100, 100, 100, 0.9f},
                        });
        assertEquals(2, d.size());
        assertArrayEquals(new float[] {0.9f, 0.6f}, d.scores());
    }

    @Test
    void classAwareKeepsOverlappingBoxesOfDifferentClasses() {
        float[][] anchors = {
            {100, 100, 100, 100, 0.9f, 0.0f},
            {102, 100, 100, 100, 0.0f, 0.8f},
        };
        NmsConfig best = NmsConfig.VALIDATION.withMultiLabel(false);
        Detections aware = one(2, best, anchors);
        assertEquals(2, aware.size());
        assertArrayEquals(new int[] {0, 1}, aware.classes());
        Detections agnostic = one(2, best.withAgnostic(true), anchors);
        assertEquals(1, agnostic.size());
        assertEquals(0, agnostic.classes()[0]);
    }

    @Test
    void maxDetCapsTheOutputKeepingTheBest() {
        float[][] anchors = new float[10][];
        for (int i = 0; i < 10; i++) {
            anchors[i] = new float[] {20 + 50 * i, 20, 30, 30, 0.05f + 0.09f * i};
        }
        Detections d = one(1, NmsConfig.VALIDATION.withMaxDet(3), anchors);
        assertEquals(3, d.size());
        assertArrayEquals(new float[] {anchors[9][4], anchors[8][4], anchors[7][4]}, d.scores());
        assertEquals(470f - 15f, d.x1(0));
    }

    @Test
    void multiLabelEmitsABoxOncePerClassAboveConf() {
        float[][] anchors = {{50, 50, 20, 20, 0.6f, 0.3f, 0.0005f}};
        Detections multi = one(3, NmsConfig.VALIDATION, anchors);
        assertEquals(2, multi.size(), "class 2 is below conf 0.001");
        assertArrayEquals(new int[] {0, 1}, multi.classes());
        assertArrayEquals(new float[] {0.6f, 0.3f}, multi.scores());
        assertArrayEquals(new float[] {40, 40, 60, 60, 40, 40, 60, 60}, multi.boxes());
        Detections single = one(3, NmsConfig.VALIDATION.withMultiLabel(false), anchors);
        assertEquals(1, single.size());
        assertEquals(0, single.classes()[0]);
    }

    @Test
    void confidenceMustBeStrictlyAbove() {
        Detections d =
                one(
                        1,
                        NmsConfig.PREDICTION,
                        new float[][] {
                            {50, 50, 20, 20, 0.25f}, {150, 50, 20, 20, 0.2500001f},
                        });
        assertEquals(1, d.size());
        assertEquals(150 - 10, d.x1(0));
    }

    @Test
    void batchImagesAreIndependent() {
        float[][] im0 = {{50, 50, 20, 20, 0.9f}, {300, 300, 20, 20, 0.0f}};
        float[][] im1 = {{50, 50, 20, 20, 0.0f}, {300, 300, 20, 20, 0.7f}};
        List<Detections> r = Nms.apply(output(1, im0, im1), 2, 5, 2, NmsConfig.VALIDATION);
        assertEquals(2, r.size());
        assertArrayEquals(new float[] {40, 40, 60, 60}, r.get(0).boxes());
        assertArrayEquals(new float[] {290, 290, 310, 310}, r.get(1).boxes());
        assertEquals(0, Nms.apply(new float[5 * 3], 1, 5, 3, NmsConfig.VALIDATION).get(0).size());
    }

    @Test
    void greedyMatchesPairwiseReferenceOnRandomBoxes() {
        // against a literal all-pairs greedy NMS (torchvision's loop) on clustered random boxes
        Random rnd = new Random(3);
        int nc = 3;
        int anchors = 600;
        float[][] rows = new float[anchors][];
        for (int a = 0; a < anchors; a++) {
            float cx = 40 + 80 * rnd.nextInt(6) + (float) rnd.nextGaussian() * 6;
            float cy = 40 + 80 * rnd.nextInt(4) + (float) rnd.nextGaussian() * 6;
            rows[a] =
                    new float[] {
                        cx,
                        cy,
                        40 + rnd.nextFloat() * 30,
                        40 + rnd.nextFloat() * 30,
                        rnd.nextFloat(),
                        rnd.nextFloat() * 0.5f,
                        rnd.nextFloat() * 0.2f
                    };
        }
        for (NmsConfig cfg :
                List.of(
                        NmsConfig.VALIDATION.withConf(0.05f).withIou(0.5),
                        NmsConfig.VALIDATION.withIou(0.3).withMaxDet(20),
                        new NmsConfig(0.001f, 0.6f, 300, 150, 7680, true, false),
                        new NmsConfig(0.001f, 0.6f, 300, 150, 7680, false, true))) {
            Detections fast = one(nc, cfg, rows);
            Detections slow = pairwiseReference(rows, nc, cfg);
            assertTrue(fast.size() > 10, "clusters survive: " + fast.size());
            assertArrayEquals(slow.scores(), fast.scores(), cfg.toString());
            assertArrayEquals(slow.classes(), fast.classes(), cfg.toString());
            assertArrayEquals(slow.boxes(), fast.boxes(), cfg.toString());
        }
    }

    @Test
    void selectSmallestPutsTheKSmallestFirst() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(300);
            int k = 1 + rnd.nextInt(n);
            long[] a = rnd.longs(n).distinct().toArray();
            n = a.length;
            k = Math.min(k, n);
            long[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            Nms.selectSmallest(a, n, k);
            long[] head = java.util.Arrays.copyOf(a, k);
            java.util.Arrays.sort(head);
            assertArrayEquals(java.util.Arrays.copyOf(sorted, k), head);
        }
    }

    /**
     * ultralytics + torchvision literally: candidates in (anchor, class) order, the best max_nms by
     * a stable sort, then suppress every later box overlapping each kept box, over all boxes.
     */
    private static Detections pairwiseReference(float[][] rows, int nc, NmsConfig cfg) {
        java.util.List<float[]> cand = new java.util.ArrayList<>(); // x1 y1 x2 y2 score cls
        for (float[] r : rows) {
            int bestC = 0;
            for (int c = 1; c < nc; c++) {
                bestC = r[4 + c] > r[4 + bestC] ? c : bestC;
            }
            for (int c = 0; c < nc; c++) {
                if (r[4 + c] > cfg.confThreshold() && (cfg.multiLabel() || c == bestC)) {
                    cand.add(
                            new float[] {
                                r[0] - r[2] / 2,
                                r[1] - r[3] / 2,
                                r[0] + r[2] / 2,
                                r[1] + r[3] / 2,
                                r[4 + c],
                                c
                            });
                }
            }
        }
        java.util.List<float[]> sorted = new java.util.ArrayList<>(cand);
        sorted.sort((a, b) -> Float.compare(b[4], a[4]));
        sorted = sorted.subList(0, Math.min(sorted.size(), cfg.maxNms()));
        boolean[] sup = new boolean[sorted.size()];
        java.util.List<float[]> keep = new java.util.ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            if (sup[i]) {
                continue;
            }
            keep.add(sorted.get(i));
            float[] a = off(sorted.get(i), cfg);
            for (int j = i + 1; j < sorted.size(); j++) {
                float[] b = off(sorted.get(j), cfg);
                float w = Math.max(0f, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
                float h = Math.max(0f, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
                float inter = w * h;
                float ovr =
                        inter
                                / ((a[2] - a[0]) * (a[3] - a[1])
                                        + (b[2] - b[0]) * (b[3] - b[1])
                                        - inter);
                if (ovr > cfg.iouThreshold()) {
                    sup[j] = true;
                }
            }
        }
        keep = keep.subList(0, Math.min(keep.size(), cfg.maxDet()));
        float[][] asRows = keep.toArray(new float[0][]);
        return DetectionMetricsTest.dets(asRows);
    }

    private static float[] off(float[] r, NmsConfig cfg) {
        float s = cfg.agnostic() ? 0f : r[5] * cfg.maxWh();
        return new float[] {r[0] + s, r[1] + s, r[2] + s, r[3] + s};
    }

    @Test
    void rejectsMisshapenInput() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Nms.apply(new float[10], 1, 5, 3, NmsConfig.VALIDATION));
        assertThrows(
                IllegalArgumentException.class,
                () -> Nms.apply(new float[12], 1, 4, 3, NmsConfig.VALIDATION));
    }
}
