package io.prunesweep.eval;

import io.prunesweep.data.Batch;

/**
 * What {@link Validator} runs a letterboxed batch through: the engine's network ({@link
 * EnginePredictor}, DJL) or an exported model in ONNX Runtime ({@link
 * io.prunesweep.io.onnx.OnnxPredictor}). Everything around it (loader, letterbox, NMS, matching,
 * AP, timing) is the validator's and the same for both, so two runs differ only here.
 *
 * <p>Two steps, so the validator times them apart as ultralytics does: {@link #load} copies the
 * batch to the runtime (preprocess), {@link Loaded#run} runs the network and reads its output back
 * to the host (inference).
 */
public interface BatchPredictor {

    /**
     * The decoded inference output, row-major {@code [images, 4 + nc, N]}: per column {@code cx,
     * cy, w, h} in input pixels, then {@code nc} class scores in [0, 1] (what {@link Nms#apply}
     * reads).
     */
    record Output(float[] data, int images, int channels, int columns) {}

    /** A batch on the runtime's side; close it to free it. */
    interface Loaded extends AutoCloseable {
        Output run();

        @Override
        void close();
    }

    /** Which runtime produces the numbers, as reported ({@code "djl"}, {@code "onnxruntime"}). */
    String runtime();

    /**
     * Whether the output is final without NMS (a one-to-one head such as YOLOv10's): validation
     * suppresses nothing.
     */
    boolean nmsFree();

    /**
     * One untimed run on a blank {@code imgsz} image, so the timed runs leave out one-time native
     * setup.
     */
    void warmup(int imgsz);

    /** The batch's images on the runtime's side, ready to {@link Loaded#run run}. */
    Loaded load(Batch batch);
}
