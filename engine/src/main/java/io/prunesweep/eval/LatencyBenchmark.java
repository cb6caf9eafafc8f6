package io.prunesweep.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.prunesweep.InputException;
import io.prunesweep.model.YoloModel;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

/**
 * Inference latency of one batch size: {@code warmup} untimed runs, then {@code iters} timed runs,
 * each one batch of seeded random images through the whole network to the decoded output,
 * summarised by {@link LatencyStats}. Timing covers the forward and reading the output back to the
 * host (which also waits for an asynchronous GPU); preparing the input batch is outside the timed
 * region.
 */
public final class LatencyBenchmark {
    private LatencyBenchmark() {}

    /** What to time: image size, untimed warm-up runs, timed runs. */
    public record Settings(int imgsz, int warmup, int iters) {
        public Settings {
            if (imgsz < 1) {
                throw new InputException("bench: --imgsz must be positive, got " + imgsz);
            }
            if (warmup < 0) {
                throw new InputException("bench: --warmup must be >= 0, got " + warmup);
            }
            if (iters < 1) {
                throw new InputException("bench: --iters must be >= 1, got " + iters);
            }
        }
    }

    /** One batch through the network, to completion. */
    @FunctionalInterface
    public interface BatchRun {
        void run() throws Exception;
    }

    /**
     * Times {@code run}: warm-up runs, then timed runs; {@code batch} is the images per run (for
     * FPS).
     */
    public static LatencyStats time(BatchRun run, int batch, Settings s) {
        try {
            for (int i = 0; i < s.warmup(); i++) {
                run.run();
            }
            long[] ns = new long[s.iters()];
            for (int i = 0; i < ns.length; i++) {
                long t0 = System.nanoTime();
                run.run();
                ns[i] = System.nanoTime() - t0;
            }
            return LatencyStats.of(ns, batch);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("benchmark run failed: " + e.getMessage(), e);
        }
    }

    /**
     * DJL: {@link YoloModel#predict} in inference mode on the model's device. Every run works in
     * its own sub-manager (the input is attached to it for the run and handed back after), so
     * intermediates are freed each iteration and native memory stays flat however many iterations
     * run.
     */
    public static LatencyStats djl(YoloModel model, int batch, Settings s) {
        int c = model.graph().inputChannels();
        try (NDManager inputs = model.manager().newSubManager()) {
            NDArray x =
                    inputs.create(
                            randomImages(batch, c, s.imgsz()),
                            new Shape(batch, c, s.imgsz(), s.imgsz()));
            return time(
                    () -> {
                        try (NDManager run = inputs.newSubManager()) {
                            x.tempAttach(run);
                            model.predict(x).toFloatArray();
                        }
                    },
                    batch,
                    s);
        }
    }

    /**
     * ONNX Runtime (CPU execution provider, default thread count) on a serialized model with one
     * float input {@code [batch, C, imgsz, imgsz]}.
     */
    public static LatencyStats onnx(
            byte[] model, String inputName, int channels, int batch, Settings s) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {batch, channels, s.imgsz(), s.imgsz()};
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model, opts);
                    OnnxTensor x =
                            OnnxTensor.createTensor(
                                    env,
                                    FloatBuffer.wrap(randomImages(batch, channels, s.imgsz())),
                                    shape)) {
                Map<String, OnnxTensor> feed = Map.of(inputName, x);
                return time(
                        () -> {
                            try (OrtSession.Result r = session.run(feed)) {
                                r.get(0); // outputs are materialised by run(); closing frees them
                            }
                        },
                        batch,
                        s);
            }
        } catch (OrtException e) {
            throw new InputException(
                    "bench: ONNX Runtime could not run the model on "
                            + java.util.Arrays.toString(shape)
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Uniform [0, 1) images, seeded: the timing does not depend on content, but runs are
     * reproducible.
     */
    static float[] randomImages(int batch, int channels, int imgsz) {
        float[] v = new float[batch * channels * imgsz * imgsz];
        Random r = new Random(0);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }
}
