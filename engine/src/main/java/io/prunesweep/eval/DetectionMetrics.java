package io.prunesweep.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Accumulates one validation run image by image, then computes ultralytics' detection metrics
 * ({@code DetectionValidator.update_metrics} + {@code get_stats} + {@code DetMetrics}).
 *
 * <p>Per image the detections (in their given order, which for NMS output is score descending) are
 * matched to the ground truth by {@link PredictionMatcher}; detections on an image without ground
 * truth are all false positives; an image without detections still contributes its ground truth.
 * Not thread-safe: one accumulator per validation loop.
 */
public final class DetectionMetrics {
    private final List<String> names;
    private int images;
    private int[] tp = new int[1024];
    private float[] conf = new float[1024];
    private int[] predCls = new int[1024];
    private int nPred;
    private int[] targetCls = new int[1024];
    private int nTarget;
    private final int[] imagesPerClass;

    /**
     * @param names class names; their count is the number of classes
     */
    public DetectionMetrics(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("detection metrics need at least one class name");
        }
        this.names = List.copyOf(names);
        this.imagesPerClass = new int[names.size()];
    }

    public int numClasses() {
        return names.size();
    }

    /** Adds one image: its detections and its ground truth, boxes in the same pixel space. */
    public void add(Detections preds, GroundTruth gt) {
        checkClasses(preds.classes(), "detection");
        checkClasses(gt.classes(), "ground-truth");
        images++;
        boolean[] present = new boolean[names.size()];
        for (int c : gt.classes()) {
            if (!present[c]) {
                present[c] = true;
                imagesPerClass[c]++;
            }
            if (nTarget == targetCls.length) {
                targetCls = Arrays.copyOf(targetCls, nTarget * 2);
            }
            targetCls[nTarget++] = c;
        }
        int nd = preds.size();
        if (nd == 0) {
            return;
        }
        int[] correct = PredictionMatcher.match(preds, gt);
        ensurePredCapacity(nPred + nd);
        System.arraycopy(correct, 0, tp, nPred, nd);
        System.arraycopy(preds.scores(), 0, conf, nPred, nd);
        System.arraycopy(preds.classes(), 0, predCls, nPred, nd);
        nPred += nd;
    }

    /** The metrics of everything added so far. */
    public DetectionResult result() {
        ApPerClass.Result ap =
                ApPerClass.compute(
                        Arrays.copyOf(tp, nPred),
                        Arrays.copyOf(conf, nPred),
                        Arrays.copyOf(predCls, nPred),
                        Arrays.copyOf(targetCls, nTarget),
                        PredictionMatcher.NUM_THRESHOLDS);
        List<DetectionResult.ClassResult> perClass = new ArrayList<>(ap.size());
        for (int k = 0; k < ap.size(); k++) {
            int c = ap.classes()[k];
            perClass.add(
                    new DetectionResult.ClassResult(
                            c,
                            names.get(c),
                            imagesPerClass[c],
                            ap.instances()[k],
                            ap.p()[k],
                            ap.r()[k],
                            ap.ap50(k),
                            ap.ap50to95(k)));
        }
        double map50 = ap.map50();
        double map = ap.map50to95();
        double p = ap.meanPrecision();
        double r = ap.meanRecall();
        return new DetectionResult(
                map50,
                map,
                p,
                r,
                DetectionResult.fitness(p, r, map50, map),
                images,
                nTarget,
                perClass);
    }

    private void checkClasses(int[] classes, String what) {
        for (int c : classes) {
            if (c < 0 || c >= names.size()) {
                throw new IllegalArgumentException(
                        what
                                + " class "
                                + c
                                + " is outside 0.."
                                + (names.size() - 1)
                                + " ("
                                + names.size()
                                + " classes)");
            }
        }
    }

    private void ensurePredCapacity(int need) {
        if (need > tp.length) {
            int cap = Math.max(need, tp.length * 2);
            tp = Arrays.copyOf(tp, cap);
            conf = Arrays.copyOf(conf, cap);
            predCls = Arrays.copyOf(predCls, cap);
        }
    }
}
