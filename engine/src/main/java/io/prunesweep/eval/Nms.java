package io.prunesweep.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Non-maximum suppression of a YOLO detector's inference output, as ultralytics' {@code non_max_suppression}
 * (with torchvision's {@code nms}) computes it, in plain Java on float arrays.
 *
 * <p>Input: {@code [B, 4 + nc, A]} floats: per anchor {@code cx, cy, w, h} in input pixels, then {@code nc} class
 * scores (already sigmoid). Per image: candidates are anchors whose best score is above {@code conf}; with
 * multi-label every class above {@code conf} makes its own candidate (anchor-major order, as
 * {@code torch.where}); at most {@code max_nms} of the best are kept; boxes are offset by
 * {@code class * max_wh} (class-aware) and suppressed greedily in descending score order (ties: earlier
 * candidate first) when their IoU with a kept box is strictly above the threshold.
 *
 * <p>Greedy NMS suppresses a box only through boxes that were kept, so each candidate is checked against the
 * kept list, and the scan stops once {@code max_det} boxes are kept: at most {@code n * max_det} IoUs instead of
 * torchvision's {@code n^2} worst case, with an identical result ({@code keep[:max_det]}).
 */
public final class Nms {
    private Nms() {}

    /**
     * Runs NMS over a batch.
     *
     * @param output   inference output, row-major {@code [batch, channels, anchors]}
     * @param batch    batch size
     * @param channels {@code 4 + nc}
     * @param anchors  number of anchors
     * @return per image, kept boxes {@code x1, y1, x2, y2} (input pixels), score descending
     */
    public static List<Detections> apply(float[] output, int batch, int channels, int anchors, NmsConfig cfg) {
        if (channels <= 4 || batch < 0 || anchors < 0 || (long) batch * channels * anchors != output.length) {
            throw new IllegalArgumentException("NMS input has " + output.length + " floats; expected [batch "
                    + batch + ", 4 + nc " + channels + ", anchors " + anchors + "] with nc >= 1");
        }
        List<Detections> result = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            result.add(image(output, b * channels * anchors, channels - 4, anchors, cfg));
        }
        return result;
    }

    /** NMS of one image whose {@code [4 + nc, anchors]} block starts at {@code offset}. */
    static Detections image(float[] out, int offset, int nc, int anchors, NmsConfig cfg) {
        float conf = cfg.confThreshold();
        boolean multi = cfg.multiLabel() && nc > 1; // as ultralytics: multi_label &= nc > 1
        Candidates cand = new Candidates();
        int clsBase = offset + 4 * anchors;
        for (int a = 0; a < anchors; a++) {
            float best = Float.NEGATIVE_INFINITY;
            int bestCls = 0;
            for (int c = 0; c < nc; c++) {
                float s = out[clsBase + c * anchors + a];
                if (s > best) { // first index of the maximum, as torch.max
                    best = s;
                    bestCls = c;
                }
            }
            if (!(best > conf)) {
                continue;
            }
            if (multi) {
                for (int c = 0; c < nc; c++) {
                    float s = out[clsBase + c * anchors + a];
                    if (s > conf) {
                        cand.add(a, c, s);
                    }
                }
            } else {
                cand.add(a, bestCls, best);
            }
        }
        int n = cand.size;
        if (n == 0) {
            return Detections.EMPTY;
        }
        int[] order = descendingByScore(cand.score, n); // stable: equal scores keep candidate order
        int m = Math.min(n, cfg.maxNms());

        // Boxes of the candidates in score order: plain xyxy for the output, class-offset xyxy for the IoU.
        float[] xyxy = new float[4 * m];
        float[] off = new float[4 * m];
        float[] area = new float[m];
        float[] score = new float[m];
        int[] cls = new int[m];
        for (int k = 0; k < m; k++) {
            int i = order[k];
            int a = cand.anchor[i];
            float cx = out[offset + a];
            float cy = out[offset + anchors + a];
            float hw = out[offset + 2 * anchors + a] / 2;
            float hh = out[offset + 3 * anchors + a] / 2;
            xyxy[4 * k] = cx - hw;
            xyxy[4 * k + 1] = cy - hh;
            xyxy[4 * k + 2] = cx + hw;
            xyxy[4 * k + 3] = cy + hh;
            cls[k] = cand.cls[i];
            score[k] = cand.score[i];
            float shift = cfg.agnostic() ? 0f : (float) cls[k] * cfg.maxWh();
            for (int d = 0; d < 4; d++) {
                off[4 * k + d] = xyxy[4 * k + d] + shift;
            }
            area[k] = (off[4 * k + 2] - off[4 * k]) * (off[4 * k + 3] - off[4 * k + 1]);
        }

        int[] kept = new int[Math.min(m, cfg.maxDet())];
        int nk = 0;
        double iouThr = cfg.iouThreshold();
        for (int j = 0; j < m && nk < kept.length; j++) {
            float jx1 = off[4 * j], jy1 = off[4 * j + 1], jx2 = off[4 * j + 2], jy2 = off[4 * j + 3];
            boolean suppressed = false;
            for (int q = 0; q < nk; q++) {
                int i = kept[q];
                // torchvision's CPU kernel, operand for operand (i is the earlier, kept box)
                float w = Math.max(0f, Math.min(off[4 * i + 2], jx2) - Math.max(off[4 * i], jx1));
                float h = Math.max(0f, Math.min(off[4 * i + 3], jy2) - Math.max(off[4 * i + 1], jy1));
                float inter = w * h;
                float ovr = inter / (area[i] + area[j] - inter);
                if (ovr > iouThr) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept[nk++] = j;
            }
        }

        float[] boxes = new float[4 * nk];
        float[] scores = new float[nk];
        int[] classes = new int[nk];
        for (int q = 0; q < nk; q++) {
            int k = kept[q];
            System.arraycopy(xyxy, 4 * k, boxes, 4 * q, 4);
            scores[q] = score[k];
            classes[q] = cls[k];
        }
        return new Detections(boxes, scores, classes);
    }

    /**
     * Indices {@code 0..n-1} sorted by score descending, ties in index order. Scores here are above a
     * non-negative threshold, so their IEEE bits order like the values and one primitive long sort does it.
     */
    static int[] descendingByScore(float[] score, int n) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToIntBits(score[i]);
            keys[i] = ((long) (Integer.MAX_VALUE - bits) << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** Growable (anchor, class, score) triples. */
    private static final class Candidates {
        int[] anchor = new int[256];
        int[] cls = new int[256];
        float[] score = new float[256];
        int size;

        void add(int a, int c, float s) {
            if (size == anchor.length) {
                int cap = size * 2;
                anchor = Arrays.copyOf(anchor, cap);
                cls = Arrays.copyOf(cls, cap);
                score = Arrays.copyOf(score, cap);
            }
            anchor[size] = a;
            cls[size] = c;
            score[size] = s;
            size++;
        }
    }
}
