package io.prunesweep.eval;

/**
 * Pairwise IoU of {@code x1, y1, x2, y2} boxes, computed in float32 with the same operation order
 * and epsilon as ultralytics' {@code box_iou}: a box exactly at a threshold then falls on the same
 * side as it does there.
 */
public final class BoxIou {
    private static final float EPS = 1e-7f;

    private BoxIou() {}

    /** IoU matrix {@code [a.size][b.size]} of flat box arrays ({@code 4n} floats each). */
    public static float[][] matrix(float[] a, float[] b) {
        int na = a.length / 4;
        int nb = b.length / 4;
        float[][] iou = new float[na][nb];
        for (int i = 0; i < na; i++) {
            float ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
            float areaA = (ax2 - ax1) * (ay2 - ay1);
            for (int j = 0; j < nb; j++) {
                float bx1 = b[4 * j], by1 = b[4 * j + 1], bx2 = b[4 * j + 2], by2 = b[4 * j + 3];
                float w = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0f);
                float h = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0f);
                float inter = w * h;
                float areaB = (bx2 - bx1) * (by2 - by1);
                iou[i][j] = inter / (areaA + areaB - inter + EPS);
            }
        }
        return iou;
    }
}
