package io.prunesweep.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Non-maximum suppression of a YOLO detector's inference output, as ultralytics' {@code
 * non_max_suppression} (with torchvision's {@code nms}) computes it, in plain Java on float arrays.
 *
 * <p>Input: {@code [B, 4 + nc, A]} floats: per anchor {@code cx, cy, w, h} in input pixels, then
 * {@code nc} class scores (already sigmoid). Per image: candidates are anchors whose best score is
 * above {@code conf}; with multi-label every class above {@code conf} makes its own candidate
 * (anchor-major order, as {@code torch.where}); at most {@code max_nms} of the best are kept; boxes
 * are offset by {@code class * max_wh} (class-aware) and suppressed greedily in descending score
 * order (ties: earlier candidate first) when their IoU with a kept box is strictly above the
 * threshold. IoUs are float32 with torchvision's operand order, so borderline overlaps fall on the
 * same side.
 *
 * <p>Greedy NMS suppresses a box only through boxes that were kept, so each candidate is checked
 * against the kept list, and the scan stops once {@code max_det} boxes are kept: at most {@code n *
 * max_det} IoUs instead of torchvision's {@code n^2} worst case, with an identical result ({@code
 * keep[:max_det]}). Candidates are primitive long sort keys; when there are more than {@code
 * max_nms}, a quickselect finds the best ones and only those are sorted. Measured on 2 cores: 8400
 * anchors x 80 classes, 30000 candidates into NMS (an untrained model at conf 0.001) about 8 ms per
 * image; a trained model's output about 1 ms.
 */
public final class Nms {
    private Nms() {}

    /**
     * Runs NMS over a batch.
     *
     * @param output inference output, row-major {@code [batch, channels, anchors]}
     * @param batch batch size
     * @param channels {@code 4 + nc}
     * @param anchors number of anchors
     * @return per image, kept boxes {@code x1, y1, x2, y2} (input pixels), score descending
     */
    public static List<Detections> apply(
            float[] output, int batch, int channels, int anchors, NmsConfig cfg) {
        if (channels <= 4
                || batch < 0
                || anchors < 0
                || (long) batch * channels * anchors != output.length) {
            throw new IllegalArgumentException(
                    "NMS input has "
                            + output.length
                            + " floats; expected [batch "
                            + batch
                            + ", 4 + nc "
                            + channels
                            + ", anchors "
                            + anchors
                            + "] with nc >= 1");
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
        int clsBase = offset + 4 * anchors;
        // A candidate is a sort key: score descending, then (anchor, class) row-major, the order
        // torch.where
        // lists them in. Scores here are above a non-negative threshold, so their IEEE bits order
        // like the
        // values. Loops run class-major to read the [nc, anchors] block sequentially.
        LongList keys = new LongList();
        if (multi) {
            for (int c = 0; c < nc; c++) {
                int row = clsBase + c * anchors;
                for (int a = 0; a < anchors; a++) {
                    float s = out[row + a];
                    if (s > conf) {
                        keys.add(key(s, (long) a * nc + c));
                    }
                }
            }
        } else {
            float[] best = new float[anchors];
            int[] bestCls = new int[anchors];
            Arrays.fill(best, Float.NEGATIVE_INFINITY);
            for (int c = 0; c < nc; c++) {
                int row = clsBase + c * anchors;
                for (int a = 0; a < anchors; a++) {
                    if (out[row + a] > best[a]) { // first index of the maximum, as torch.max
                        best[a] = out[row + a];
                        bestCls[a] = c;
                    }
                }
            }
            for (int a = 0; a < anchors; a++) {
                if (best[a] > conf) {
                    keys.add(key(best[a], (long) a * nc + bestCls[a]));
                }
            }
        }
        int n = keys.size;
        if (n == 0) {
            return Detections.EMPTY;
        }
        int m = Math.min(n, cfg.maxNms());
        long[] k0 = keys.data;
        if (m < n) {
            selectSmallest(k0, n, m); // the best max_nms candidates, then only those are sorted
        }
        Arrays.sort(k0, 0, m);

        // Boxes of the candidates in score order: plain xyxy for the output, class-offset xyxy for
        // the IoU.
        float[] xyxy = new float[4 * m];
        float[] off = new float[4 * m];
        float[] area = new float[m];
        float[] score = new float[m];
        int[] cls = new int[m];
        for (int k = 0; k < m; k++) {
            long idx = k0[k] & 0xffffffffL;
            int a = (int) (idx / nc);
            float cx = out[offset + a];
            float cy = out[offset + anchors + a];
            float hw = out[offset + 2 * anchors + a] / 2;
            float hh = out[offset + 3 * anchors + a] / 2;
            xyxy[4 * k] = cx - hw;
            xyxy[4 * k + 1] = cy - hh;
            xyxy[4 * k + 2] = cx + hw;
            xyxy[4 * k + 3] = cy + hh;
            cls[k] = (int) (idx % nc);
            score[k] = Float.intBitsToFloat(Integer.MAX_VALUE - (int) (k0[k] >>> 32));
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
            float jx1 = off[4 * j],
                    jy1 = off[4 * j + 1],
                    jx2 = off[4 * j + 2],
                    jy2 = off[4 * j + 3];
            boolean suppressed = false;
            for (int q = 0; q < nk; q++) {
                int i = kept[q];
                // torchvision's CPU kernel, operand for operand (i is the earlier, kept box)
                float w = Math.max(0f, Math.min(off[4 * i + 2], jx2) - Math.max(off[4 * i], jx1));
                float h =
                        Math.max(0f, Math.min(off[4 * i + 3], jy2) - Math.max(off[4 * i + 1], jy1));
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

    private static long key(float score, long index) {
        if (index > 0xffffffffL) {
            throw new IllegalArgumentException("NMS: anchors * classes exceeds 2^32");
        }
        return ((long) (Integer.MAX_VALUE - Float.floatToIntBits(score)) << 32) | index;
    }

    /**
     * Reorders {@code a[0..n)} so that its {@code k} smallest values come first (quickselect; keys
     * are unique).
     */
    static void selectSmallest(long[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            // median of three as pivot
            long x = a[lo], y = a[mid], z = a[hi];
            long pivot = x < y ? (y < z ? y : Math.max(x, z)) : (x < z ? x : Math.max(y, z));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            // now a[lo..j] <= pivot <= a[i..hi]
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    /** Growable long array. */
    private static final class LongList {
        long[] data = new long[1024];
        int size;

        void add(long v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }
    }
}
