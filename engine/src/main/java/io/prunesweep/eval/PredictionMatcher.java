package io.prunesweep.eval;

/**
 * Which detections of one image are true positives, at each IoU threshold 0.50:0.05:0.95, as
 * ultralytics' {@code BaseValidator.match_predictions} (the default, non-scipy path) decides it.
 *
 * <p>Per threshold, the candidate pairs are (label, detection) of the same class with IoU at or
 * above it. Sorted by IoU descending, each detection keeps its best label; of those, in detection
 * order, each label keeps its first (lowest-index, i.e. highest-scoring) detection. That is not an
 * optimal assignment: a detection whose best label went to an earlier detection is a false positive
 * even when another label was free, exactly as there. Ties in IoU (numpy's sort order) resolve as a
 * stable ascending sort reversed: the larger label index.
 */
public final class PredictionMatcher {
    /**
     * {@code torch.linspace(0.5, 0.95, 10)} in float32, computed as torch's CPU kernel does (two
     * halves).
     */
    static final float[] IOU_THRESHOLDS = torchLinspace(0.5f, 0.95f, 10);

    public static final int NUM_THRESHOLDS = IOU_THRESHOLDS.length;

    private PredictionMatcher() {}

    /** The IoU thresholds, {@code 0.50, 0.55, ..., 0.95} as float32. */
    public static float[] iouThresholds() {
        return IOU_THRESHOLDS.clone();
    }

    /**
     * Correct-detection flags of one image.
     *
     * @return per detection a bit mask: bit {@code t} set when it is a true positive at threshold
     *     {@code t}
     */
    public static int[] match(Detections preds, GroundTruth gt) {
        int nd = preds.size();
        int[] correct = new int[nd];
        if (nd == 0 || gt.size() == 0) {
            return correct;
        }
        float[][] iou =
                BoxIou.matrix(gt.boxes(), preds.boxes()); // [labels][detections], as ultralytics
        return match(preds.classes(), gt.classes(), iou);
    }

    /**
     * As {@link #match(Detections, GroundTruth)} from a precomputed {@code [labels][detections]}
     * IoU.
     */
    static int[] match(int[] predCls, int[] trueCls, float[][] iou) {
        int nd = predCls.length;
        int nl = trueCls.length;
        int[] correct = new int[nd];
        int[] bestLabel = new int[nd];
        boolean[] labelTaken = new boolean[nl];
        for (int t = 0; t < IOU_THRESHOLDS.length; t++) {
            float thr = IOU_THRESHOLDS[t];
            // each detection's best label at this threshold (ties: larger label index)
            for (int d = 0; d < nd; d++) {
                int best = -1;
                float bestIou = 0f;
                for (int l = 0; l < nl; l++) {
                    if (trueCls[l] != predCls[d]) {
                        continue;
                    }
                    float v = iou[l][d];
                    if (v >= thr && (best < 0 || v >= bestIou)) {
                        best = l;
                        bestIou = v;
                    }
                }
                bestLabel[d] = best;
            }
            // each label keeps the first detection (in detection order) that chose it
            java.util.Arrays.fill(labelTaken, false);
            for (int d = 0; d < nd; d++) {
                int l = bestLabel[d];
                if (l >= 0 && !labelTaken[l]) {
                    labelTaken[l] = true;
                    correct[d] |= 1 << t;
                }
            }
        }
        return correct;
    }

    static float[] torchLinspace(float start, float end, int steps) {
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        float[] v = new float[steps];
        for (int i = 0; i < steps; i++) {
            v[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return v;
    }
}
