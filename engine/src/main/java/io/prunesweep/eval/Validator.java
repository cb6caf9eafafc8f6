package io.prunesweep.eval;

import io.prunesweep.data.Batch;
import io.prunesweep.data.DetectionLoader;
import io.prunesweep.data.ImageInfo;
import io.prunesweep.data.LabeledImage;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.model.YoloModel;
import java.util.Iterator;
import java.util.List;

/**
 * Validation as ultralytics' DetectionValidator: letterboxed batches, the model in inference mode,
 * NMS (conf 0.001, IoU 0.7, 300 detections, multi-label), predictions mapped back to original image
 * pixels and matched against the labels there, then AP. The model is a {@link BatchPredictor}: the
 * engine's network, or an ONNX export in ONNX Runtime, through the very same steps.
 */
public final class Validator {
    private Validator() {}

    /**
     * Receives each image's final detections (original pixels, score descending), in dataset order.
     */
    @FunctionalInterface
    public interface PredictionSink {
        PredictionSink NONE = (image, detections) -> {};

        void accept(LabeledImage image, Detections detections);
    }

    /** The figures with ultralytics' validation NMS; what training reports per epoch. */
    public static DetectionResult evaluate(
            YoloModel model, YoloDataset data, int imgsz, int batchSize, int workers) {
        return run(
                        new EnginePredictor(model),
                        data,
                        ValidationSettings.of(imgsz, batchSize, workers),
                        PredictionSink.NONE,
                        false)
                .result();
    }

    /**
     * {@link #run(BatchPredictor, YoloDataset, ValidationSettings, PredictionSink)} of the engine's
     * network.
     */
    public static ValidationRun run(
            YoloModel model, YoloDataset data, ValidationSettings settings, PredictionSink sink) {
        return run(new EnginePredictor(model), data, settings, sink);
    }

    /**
     * Validates {@code predictor} on every image of {@code data}; {@code sink} sees each image's
     * detections. One untimed forward pass first (as ultralytics' {@code warmup}), so the speed
     * figures leave out one-time native setup, which on the CPU costs more than a small split's
     * whole inference.
     */
    public static ValidationRun run(
            BatchPredictor predictor,
            YoloDataset data,
            ValidationSettings settings,
            PredictionSink sink) {
        return run(predictor, data, settings, sink, true);
    }

    private static ValidationRun run(
            BatchPredictor predictor,
            YoloDataset data,
            ValidationSettings settings,
            PredictionSink sink,
            boolean warmup) {
        if (warmup) {
            predictor.warmup(settings.imgsz());
        }
        DetectionMetrics metrics = new DetectionMetrics(data.names());
        DetectionLoader.Options opts =
                DetectionLoader.Options.val(settings.imgsz(), settings.batch())
                        .withWorkers(settings.workers());
        long pre = 0;
        long infer = 0;
        long post = 0;
        int next = 0; // validation batches come in dataset order
        // a one-to-one head (YOLOv10) is NMS-free: keep every box above the score threshold,
        // suppress none
        NmsConfig nms = predictor.nmsFree() ? settings.nms().withIou(1.0) : settings.nms();
        try (DetectionLoader loader = new DetectionLoader(data, opts);
                DetectionLoader.Epoch epoch = loader.epoch(0)) {
            Iterator<Batch> batches = epoch.iterator();
            while (batches.hasNext()) {
                long t0 = System.nanoTime();
                Batch batch = batches.next();
                BatchPredictor.Output y;
                long t1;
                try (BatchPredictor.Loaded images = predictor.load(batch)) {
                    t1 = System.nanoTime();
                    y = images.run();
                }
                if (y.images() != batch.size()) {
                    throw new IllegalStateException(
                            predictor.runtime()
                                    + " returned "
                                    + y.images()
                                    + " images' outputs for a batch of "
                                    + batch.size());
                }
                long t2 = System.nanoTime();
                List<Detections> dets =
                        Nms.apply(y.data(), y.images(), y.channels(), y.columns(), nms);
                List<ImageInfo> infos = batch.infos();
                for (int i = 0; i < dets.size(); i++, next++) {
                    LabeledImage image = data.get(next);
                    ImageInfo info = infos.get(i);
                    if (!info.path().equals(image.image().toString())) {
                        throw new IllegalStateException(
                                "validation batch image "
                                        + info.path()
                                        + " is not dataset image "
                                        + next
                                        + " ("
                                        + image.image()
                                        + "); the loader must keep dataset order");
                    }
                    Detections d = dets.get(i);
                    Detections mapped =
                            new Detections(info.toOriginal(d.boxes()), d.scores(), d.classes());
                    sink.accept(image, mapped);
                    metrics.add(mapped, GroundTruth.of(image));
                }
                long t3 = System.nanoTime();
                pre += t1 - t0;
                infer += t2 - t1;
                post += t3 - t2;
            }
        }
        long t4 = System.nanoTime();
        DetectionResult result = metrics.result();
        post += System.nanoTime() - t4;
        return new ValidationRun(result, ValidationSpeed.perImage(pre, infer, post, next));
    }
}
