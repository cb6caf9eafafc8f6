package io.prunesweep.train.loss;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * YOLOv5's {@code build_targets} for one level, on the host in float32 as upstream computes it: a
 * target matches anchor a when max(w/aw, aw/w, h/ah, ah/h) < anchor_t; each match is assigned to
 * its own cell and to the neighbouring cells (left/up/right/down) whose border its centre is within
 * half a cell of, so a target has up to three positive cells per matching anchor. Rows are in
 * upstream's order (offset, then anchor, then target), which decides which target a cell's
 * objectness takes when several land on it (the last written, as {@code tobj[...] = iou} leaves
 * it).
 */
final class AnchorTargets {
    private static final float G = 0.5f;
    private static final float[][] OFFSETS = {{0, 0}, {G, 0}, {0, G}, {-G, 0}, {0, -G}};

    /**
     * The positives of one level.
     *
     * @param cells flat cell index of each positive into the level's {@code [B, na, H, W]} maps
     * @param box per positive x, y (within the cell, may be -0.5..1.5), w, h in grid units
     * @param anchor per positive anchor w, h in grid units
     * @param cls per positive class
     * @param objCell distinct cells that get an objectness target
     * @param objFrom for each of {@code objCell}, the positive whose IoU it takes (the last one
     *     written)
     */
    record Level(
            long[] cells, float[] box, float[] anchor, int[] cls, long[] objCell, long[] objFrom) {
        int size() {
            return cells.length;
        }
    }

    private AnchorTargets() {}

    /**
     * @param t [N, 6] rows (batch_index, class, cx, cy, w, h), normalised
     * @param anchors this level's anchors, {@code na} (w, h) pairs in grid units
     */
    static Level build(float[] t, int na, float[] anchors, int h, int w, float anchorT) {
        int nt = t.length / 6;
        int max = 5 * na * nt;
        long[] cells = new long[max];
        float[] box = new float[4 * max];
        float[] anc = new float[2 * max];
        int[] cls = new int[max];
        // which (anchor, target) pairs match, and the neighbour flags j, k, l, m of each
        boolean[][] use = new boolean[5][na * nt];
        for (int a = 0; a < na; a++) {
            for (int r = 0; r < nt; r++) {
                float gw = t[6 * r + 4] * w;
                float gh = t[6 * r + 5] * h;
                float rw = gw / anchors[2 * a];
                float rh = gh / anchors[2 * a + 1];
                float worst = Math.max(Math.max(rw, 1f / rw), Math.max(rh, 1f / rh));
                if (!(worst < anchorT)) {
                    continue;
                }
                float gx = t[6 * r + 2] * w;
                float gy = t[6 * r + 3] * h;
                float ix = w - gx; // inverse
                float iy = h - gy;
                int i = a * nt + r;
                use[0][i] = true;
                use[1][i] = frac(gx) < G && gx > 1;
                use[2][i] = frac(gy) < G && gy > 1;
                use[3][i] = frac(ix) < G && ix > 1;
                use[4][i] = frac(iy) < G && iy > 1;
            }
        }
        int n = 0;
        for (int o = 0; o < 5; o++) {
            for (int a = 0; a < na; a++) {
                for (int r = 0; r < nt; r++) {
                    if (!use[o][a * nt + r]) {
                        continue;
                    }
                    float gx = t[6 * r + 2] * w;
                    float gy = t[6 * r + 3] * h;
                    // .long() truncates; upstream clamps the grid indices in place, so the box
                    // offset uses them too
                    long gi = Math.min(Math.max((long) (gx - OFFSETS[o][0]), 0), w - 1);
                    long gj = Math.min(Math.max((long) (gy - OFFSETS[o][1]), 0), h - 1);
                    long b = (long) t[6 * r];
                    cells[n] = ((b * na + a) * h + gj) * w + gi;
                    box[4 * n] = gx - gi;
                    box[4 * n + 1] = gy - gj;
                    box[4 * n + 2] = t[6 * r + 4] * w;
                    box[4 * n + 3] = t[6 * r + 5] * h;
                    anc[2 * n] = anchors[2 * a];
                    anc[2 * n + 1] = anchors[2 * a + 1];
                    cls[n] = (int) t[6 * r + 1];
                    n++;
                }
            }
        }
        Map<Long, Integer> last = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            last.put(cells[k], k);
        }
        long[] objCell = new long[last.size()];
        long[] objFrom = new long[last.size()];
        int u = 0;
        for (Map.Entry<Long, Integer> e : last.entrySet()) {
            objCell[u] = e.getKey();
            objFrom[u++] = e.getValue();
        }
        return new Level(
                Arrays.copyOf(cells, n),
                Arrays.copyOf(box, 4 * n),
                Arrays.copyOf(anc, 2 * n),
                Arrays.copyOf(cls, n),
                objCell,
                objFrom);
    }

    /** x mod 1 as torch's {@code %} (the sign of the divisor). */
    private static float frac(float x) {
        return x - (float) Math.floor(x);
    }
}
