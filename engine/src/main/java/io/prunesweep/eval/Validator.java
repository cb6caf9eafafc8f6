package io.prunesweep.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prunesweep.data.Batch;
import io.prunesweep.data.DetectionLoader;
import io.prunesweep.data.ImageInfo;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.model.YoloModel;
import java.util.List;

/**
 * Validation as ultralytics' DetectionValidator: letterboxed batches, the model in inference mode, NMS (conf 0.001,
 * IoU 0.7, 300 detections, multi-label), predictions and labels mapped back to original image pixels, then AP.
 */
public final class Validator {
    private Validator() {}

    public static DetectionResult evaluate(YoloModel model, YoloDataset data, int imgsz, int batchSize, int workers) {
        DetectionMetrics metrics = new DetectionMetrics(data.names());
        DetectionLoader.Options opts = DetectionLoader.Options.val(imgsz, batchSize).withWorkers(workers);
        // a one-to-one head (YOLOv10) is NMS-free: keep every box above the score threshold, suppress none
        NmsConfig nms = io.prunesweep.model.DetectionHead.of(model.graph()).nmsFree() ? NmsConfig.VALIDATION.withIou(1.0) : NmsConfig.VALIDATION;
        try (DetectionLoader loader = new DetectionLoader(data, opts); DetectionLoader.Epoch epoch = loader.epoch(0)) {
            for (Batch batch : epoch) {
                float[] out;
                long[] shape;
                try (NDManager scope = model.manager().newSubManager()) {
                    NDArray y = model.predict(batch.images(scope));
                    shape = y.getShape().getShape();
                    out = y.toFloatArray();
                }
                List<Detections> dets = Nms.apply(out, (int) shape[0], (int) shape[1], (int) shape[2], nms);
                List<ImageInfo> infos = batch.infos();
                for (int i = 0; i < dets.size(); i++) {
                    ImageInfo info = infos.get(i);
                    Detections d = dets.get(i);
                    Detections mapped = new Detections(info.toOriginal(d.boxes()), d.scores(), d.classes());
                    metrics.add(mapped, groundTruth(batch, i, info));
                }
            }
        }
        return metrics.result();
    }

    /** Labels of image {@code i} of a batch (normalized cx, cy, w, h of the batch image) in original pixels. */
    static GroundTruth groundTruth(Batch batch, int i, ImageInfo info) {
        float[] t = batch.targetData();
        int n = 0;
        for (int r = 0; r < batch.targetCount(); r++) if ((int) t[r * 6] == i) n++;
        float[] boxes = new float[4 * n];
        int[] classes = new int[n];
        int k = 0;
        float w = batch.width(), h = batch.height();
        for (int r = 0; r < batch.targetCount(); r++) {
            if ((int) t[r * 6] != i) continue;
            float cx = t[r * 6 + 2] * w, cy = t[r * 6 + 3] * h, bw = t[r * 6 + 4] * w, bh = t[r * 6 + 5] * h;
            boxes[4 * k] = cx - bw / 2;
            boxes[4 * k + 1] = cy - bh / 2;
            boxes[4 * k + 2] = cx + bw / 2;
            boxes[4 * k + 3] = cy + bh / 2;
            classes[k++] = (int) t[r * 6 + 1];
        }
        return new GroundTruth(info.toOriginal(boxes), classes);
    }
}
