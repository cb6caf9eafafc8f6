package io.prunesweep.train;

import ai.djl.nn.Parameter;
import io.prunesweep.data.AugmentConfig;
import io.prunesweep.data.Batch;
import io.prunesweep.data.DetectionLoader;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Training throughput, measured in two separate parts: the loader alone (training pipeline with
 * mosaic on, optionally from the RAM cache: samples/s), and full training steps fed by that loader
 * (forward, loss, backward, optimizer every {@code nbs/batch} batches, EMA: images/s, with the time
 * per phase). Warm-up batches are not timed. Resident memory is sampled before and at every quarter
 * of the timed steps, so growth over a run (a leak) shows apart from the allocator's
 * first-iterations warm-up.
 */
public final class TrainBenchmark {
    private TrainBenchmark() {}

    /**
     * @param warmup untimed batches first
     * @param iters timed batches
     * @param workers loader threads
     * @param threads libtorch intra-op threads (0 = one per processor)
     * @param nbs nominal batch: an optimizer step every {@code round(nbs / batch)} batches
     */
    public record Settings(
            int imgsz,
            int batch,
            int warmup,
            int iters,
            int workers,
            boolean cache,
            int threads,
            int nbs,
            long seed,
            String optimizer) {
        public Settings {
            if (!List.of("SGD", "AdamW").contains(optimizer)) {
                throw new io.prunesweep.InputException(
                        "bench train: --optimizer must be SGD or AdamW, got '" + optimizer + "'");
            }
            if (imgsz < 32 || imgsz % 32 != 0) {
                throw new io.prunesweep.InputException(
                        "bench train: --imgsz must be a multiple of 32, got " + imgsz);
            }
            if (batch < 1 || iters < 1 || warmup < 0 || workers < 1 || threads < 0 || nbs < 1) {
                throw new io.prunesweep.InputException(
                        "bench train: need --batch >= 1, --iters >= 1, --warmup >= 0,"
                                + " --workers >= 1, --threads >= 0");
            }
        }

        /**
         * Training pipeline, mosaic always on (epochs 0: it never closes), {@code prefetch} batches
         * in flight.
         */
        DetectionLoader.Options loaderOptions(int prefetch) {
            return DetectionLoader.Options.train(imgsz, batch)
                    .withWorkers(workers)
                    .withPrefetch(prefetch)
                    .withSeed(seed)
                    .withCache(cache)
                    .withAugment(AugmentConfig.defaults().withCloseMosaic(0));
        }
    }

    public record LoaderResult(
            int workers,
            int samples,
            double seconds,
            double samplesPerSecond,
            long cachedBytes,
            double cacheSeconds) {
        /** Throughput per loader thread (= per core while threads do not outnumber cores). */
        public double samplesPerSecondPerWorker() {
            return samplesPerSecond / workers;
        }
    }

    /**
     * Per-batch milliseconds of each phase; {@code dataWaitMs} is time spent waiting for the
     * loader.
     */
    public record TrainResult(
            int threads,
            int images,
            double seconds,
            double imagesPerSecond,
            double forwardMs,
            double lossMs,
            double backwardMs,
            double optimizerMs,
            double dataWaitMs,
            int optimizerSteps,
            long rssStartMb,
            long rssEndMb,
            List<Long> rssMb) {
        /** Optimizer time over the time of forward, loss, backward and optimizer. */
        public double optimizerShare() {
            double all = forwardMs + lossMs + backwardMs + optimizerMs;
            return all == 0 ? 0 : optimizerMs / all;
        }
    }

    public static LoaderResult loader(YoloDataset data, Settings s) {
        long c0 = System.nanoTime();
        // one batch in flight per worker: batches computed ahead during the warm-up barely inflate
        // the timed rate
        try (DetectionLoader loader = new DetectionLoader(data, s.loaderOptions(s.workers()))) {
            double cacheSeconds = (System.nanoTime() - c0) / 1e9;
            Batches batches = new Batches(loader);
            for (int i = 0; i < s.warmup(); i++) {
                batches.next();
            }
            int samples = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < s.iters(); i++) {
                samples += batches.next().size();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            batches.close();
            return new LoaderResult(
                    s.workers(),
                    samples,
                    seconds,
                    samples / seconds,
                    loader.cachedBytes(),
                    s.cache() ? cacheSeconds : 0);
        }
    }

    public static TrainResult train(YoloModel model, YoloDataset data, Settings s) {
        int threads =
                TorchThreads.use(
                        s.threads() > 0 ? s.threads() : Runtime.getRuntime().availableProcessors());
        ModelGraph g = model.graph();
        Map<String, Parameter> params = model.network().parameters();
        Map<Parameter, String> names = new IdentityHashMap<>();
        params.forEach((k, v) -> names.put(v, k));
        int accumulate = Math.max((int) Math.round((double) s.nbs() / s.batch()), 1);
        Optimizer.GroupSettings lr =
                new Optimizer.GroupSettings(new float[] {1e-3f, 1e-3f, 1e-3f}, 0.9f);
        try (DetectionLoader loader = new DetectionLoader(data, s.loaderOptions(2 * s.workers()));
                FlatParameters flat = FlatParameters.of(params);
                ModelEma ema = new ModelEma(model, flat, 0.9999, 2000);
                Optimizer opt = Optimizer.create(s.optimizer(), flat, names, 5e-4f)) {
            TrainStep step =
                    new TrainStep(
                            model,
                            io.prunesweep.train.loss.LossFunctions.forModel(
                                    model, io.prunesweep.train.loss.LossGains.DEFAULTS, s.imgsz()),
                            flat,
                            opt,
                            null,
                            ema,
                            10f);
            Batches batches = new Batches(loader);
            int n = 0;
            for (int i = 0; i < s.warmup(); i++, n++) {
                step.backward(batches.next());
                if ((n + 1) % accumulate == 0) {
                    step.step(0, lr);
                }
            }
            step.timings().reset();
            long rss0 = residentMb();
            List<Long> rss = new ArrayList<>();
            long wait = 0;
            int images = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < s.iters(); i++, n++) {
                long w0 = System.nanoTime();
                Batch b = batches.next();
                wait += System.nanoTime() - w0;
                step.backward(b);
                if ((n + 1) % accumulate == 0) {
                    step.step(0, lr);
                }
                images += b.size();
                if ((i + 1) % Math.max(1, s.iters() / 4) == 0) {
                    rss.add(residentMb());
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            batches.close();
            TrainStep.Timings t = step.timings();
            double per = 1e6 * s.iters();
            return new TrainResult(
                    threads,
                    images,
                    seconds,
                    images / seconds,
                    t.forward / per,
                    t.loss / per,
                    t.backward / per,
                    t.step / per,
                    wait / per,
                    (int) t.steps,
                    rss0,
                    residentMb(),
                    rss);
        }
    }

    /** Resident set size of this process in MB (Linux), or -1. */
    public static long residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Batches across as many epochs as needed. */
    private static final class Batches {
        private final DetectionLoader loader;
        private int epoch;
        private DetectionLoader.Epoch current;
        private Iterator<Batch> it;

        Batches(DetectionLoader loader) {
            this.loader = loader;
        }

        Batch next() {
            while (it == null || !it.hasNext()) {
                close();
                current = loader.epoch(epoch++);
                it = current.iterator();
            }
            return it.next();
        }

        void close() {
            if (current != null) {
                current.close();
            }
        }
    }
}
