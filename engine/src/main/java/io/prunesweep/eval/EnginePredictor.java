package io.prunesweep.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prunesweep.data.Batch;
import io.prunesweep.model.DetectionHead;
import io.prunesweep.model.YoloModel;

/**
 * {@link BatchPredictor} of the engine: {@link YoloModel#predict} in inference mode on the model's
 * device, each batch in its own sub-manager (freed when the batch is closed). Does not own the
 * model.
 */
public final class EnginePredictor implements BatchPredictor {
    public static final String RUNTIME = "djl";

    private final YoloModel model;

    public EnginePredictor(YoloModel model) {
        this.model = model;
    }

    @Override
    public String runtime() {
        return RUNTIME;
    }

    @Override
    public boolean nmsFree() {
        return DetectionHead.of(model.graph()).nmsFree();
    }

    @Override
    public void warmup(int imgsz) {
        try (NDManager scope = model.manager().newSubManager()) {
            int c = model.graph().inputChannels();
            model.predict(scope.zeros(new Shape(1, c, imgsz, imgsz))).toFloatArray();
        }
    }

    @Override
    public Loaded load(Batch batch) {
        NDManager scope = model.manager().newSubManager();
        NDArray images;
        try {
            images = batch.images(scope);
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
        return new Loaded() {
            @Override
            public Output run() {
                NDArray y = model.predict(images);
                long[] s = y.getShape().getShape();
                return new Output(y.toFloatArray(), (int) s[0], (int) s[1], (int) s[2]);
            }

            @Override
            public void close() {
                scope.close();
            }
        };
    }
}
