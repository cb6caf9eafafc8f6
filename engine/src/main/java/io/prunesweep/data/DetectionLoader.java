package io.prunesweep.data;

import io.prunesweep.InputException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Multi-threaded, prefetching batch loader for YOLO detection training and validation.
 *
 * <p>Deterministic for a given {@code (seed, epoch)} whatever the worker count: the epoch order is
 * a shuffle seeded by {@code (seed, epoch)}, and each sample's augmentation draws from its own
 * stream seeded by {@code (seed, epoch, index)}. Workers build whole batches; at most {@code
 * prefetch} batches are in flight, and {@link Epoch#next()} returns them in order.
 *
 * <pre>{@code
 * try (DetectionLoader loader = new DetectionLoader(dataset, DetectionLoader.Options.train(640, 16).withEpochs(100))) {
 *     System.out.println(loader.report().summary());
 *     for (int e = 0; e < 100; e++) {
 *         try (DetectionLoader.Epoch epoch = loader.epoch(e)) {
 *             for (Batch batch : epoch) { ... batch.images(manager) ... }
 *         }
 *     }
 * }
 * }</pre>
 */
public final class DetectionLoader implements AutoCloseable {

    /**
     * @param imgsz square batch image size
     * @param batchSize images per batch (the last batch of an epoch may be smaller)
     * @param workers worker threads
     * @param prefetch batches computed ahead (bounded queue)
     * @param seed base seed for shuffling and augmentation
     * @param train training pipeline (augment, shuffle) rather than validation letterbox
     * @param cache keep decoded images in RAM
     * @param augment augmentation settings (training only)
     * @param epochs total epochs, for close_mosaic; 0 when unknown (mosaic never closes)
     */
    public record Options(
            int imgsz,
            int batchSize,
            int workers,
            int prefetch,
            long seed,
            boolean train,
            boolean cache,
            AugmentConfig augment,
            int epochs) {

        public Options {
            if (imgsz < 32 || batchSize < 1 || workers < 1 || prefetch < 1) {
                throw new IllegalArgumentException(
                        "need imgsz >= 32, batch >= 1, workers >= 1, prefetch >= 1");
            }
        }

        public static Options train(int imgsz, int batchSize) {
            return new Options(imgsz, batchSize, 2, 4, 0, true, false, AugmentConfig.defaults(), 0);
        }

        public static Options val(int imgsz, int batchSize) {
            return new Options(imgsz, batchSize, 2, 4, 0, false, false, AugmentConfig.none(), 0);
        }

        public Options withWorkers(int n) {
            return new Options(
                    imgsz,
                    batchSize,
                    n,
                    Math.max(prefetch, n),
                    seed,
                    train,
                    cache,
                    augment,
                    epochs);
        }

        public Options withPrefetch(int n) {
            return new Options(imgsz, batchSize, workers, n, seed, train, cache, augment, epochs);
        }

        public Options withSeed(long s) {
            return new Options(
                    imgsz, batchSize, workers, prefetch, s, train, cache, augment, epochs);
        }

        public Options withCache(boolean c) {
            return new Options(
                    imgsz, batchSize, workers, prefetch, seed, train, c, augment, epochs);
        }

        public Options withAugment(AugmentConfig a) {
            return new Options(imgsz, batchSize, workers, prefetch, seed, train, cache, a, epochs);
        }

        public Options withEpochs(int n) {
            return new Options(imgsz, batchSize, workers, prefetch, seed, train, cache, augment, n);
        }
    }

    private final YoloDataset dataset;
    private final Options options;
    private final ImageSource source;
    private final SampleTransform transform;
    private final ExecutorService pool;
    private final PixelBuffers buffers;
    private final AtomicInteger lateFailures = new AtomicInteger();
    private final List<String> lateProblems = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final long cachedBytes;

    public DetectionLoader(YoloDataset dataset, Options options) {
        OpenCvNatives.load();
        // Parallelism comes from the worker threads; OpenCV's own pool would add threads that
        // compete with them
        // and with libtorch for the same cores (ultralytics does the same: cv2.setNumThreads(0)).
        org.opencv.core.Core.setNumThreads(1);
        this.dataset = dataset;
        this.options = options;
        this.source = new ImageSource(dataset, options.imgsz());
        this.transform = new SampleTransform(source, options.imgsz(), options.augment());
        // batches in flight, plus the one being trained on and the one just released
        this.buffers = new PixelBuffers(options.prefetch() + 2);
        AtomicInteger n = new AtomicInteger();
        this.pool =
                Executors.newFixedThreadPool(
                        options.workers(),
                        r -> {
                            Thread t =
                                    new Thread(
                                            r,
                                            "loader-"
                                                    + dataset.split()
                                                    + "-"
                                                    + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
        this.cachedBytes = options.cache() ? source.fillCache(pool) : 0;
    }

    public DatasetReport report() {
        return dataset.report();
    }

    public YoloDataset dataset() {
        return dataset;
    }

    public Options options() {
        return options;
    }

    /** Batches per epoch. */
    public int size() {
        return (dataset.size() + options.batchSize() - 1) / options.batchSize();
    }

    /**
     * Samples skipped while loading because their image could no longer be read (it was at the
     * scan), and up to {@link YoloDataset#MAX_EXAMPLES} messages naming them. Their batches are
     * smaller by those samples.
     */
    public int lateFailures() {
        return lateFailures.get();
    }

    public List<String> lateProblems() {
        return List.copyOf(lateProblems);
    }

    /** Bytes of decoded images held by the RAM cache (0 without cache). */
    public long cachedBytes() {
        return cachedBytes;
    }

    /** Whether mosaic is used in this (0-based) epoch. */
    public boolean mosaicOn(int epoch) {
        return options.train() && options.augment().mosaicOn(epoch, options.epochs());
    }

    /** Starts computing the batches of {@code epoch} (0-based); iterate it once, then close it. */
    public Epoch epoch(int epoch) {
        return new Epoch(epoch);
    }

    /** The dataset indices of an epoch, in batch order. */
    int[] order(int epoch) {
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (options.train()) {
            SplittableRandom rng = Seeds.random(options.seed(), epoch, -1);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    private Batch build(int epoch, int b, int[] order, boolean mosaicOn) {
        int from = b * options.batchSize();
        int to = Math.min(order.length, from + options.batchSize());
        List<SampleTransform.Sample> samples = new ArrayList<>(to - from);
        try {
            for (int k = from; k < to; k++) {
                int idx = order[k];
                try {
                    samples.add(
                            options.train()
                                    ? transform.train(
                                            idx, mosaicOn, Seeds.random(options.seed(), epoch, idx))
                                    : transform.val(idx));
                } catch (InputException e) {
                    // The file was readable at the scan and is not any more (deleted, replaced,
                    // storage hiccup):
                    // never fatal mid-epoch; the sample is left out of its batch and reported.
                    lateFailures.incrementAndGet();
                    if (lateProblems.size() < YoloDataset.MAX_EXAMPLES) {
                        lateProblems.add(
                                "epoch "
                                        + (epoch + 1)
                                        + ": "
                                        + e.getMessage()
                                        + "; sample skipped");
                    }
                }
            }
            if (samples.isEmpty()) {
                throw new InputException(
                        "batch "
                                + (b + 1)
                                + " of epoch "
                                + (epoch + 1)
                                + ": none of its "
                                + (to - from)
                                + " images can be read any more; "
                                + String.join("; ", lateProblems));
            }
            return BatchAssembler.assemble(b, samples, options.imgsz(), options.imgsz(), buffers);
        } finally {
            samples.forEach(SampleTransform.Sample::close);
        }
    }

    /** Stops the workers (waiting for running batches) and frees the RAM cache. */
    @Override
    public void close() {
        // queued batches never run: cancel them so a late Epoch.next() fails instead of waiting
        // forever
        pool.shutdownNow()
                .forEach(
                        r -> {
                            if (r instanceof Future<?> f) {
                                f.cancel(false);
                            }
                        });
        try {
            if (pool.awaitTermination(60, TimeUnit.SECONDS)) {
                source.close(); // only once no worker can still read a cached image
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The batches of one epoch, in order, computed ahead by the workers. */
    public final class Epoch implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final boolean mosaicOn;
        private final Deque<Future<Batch>> inFlight = new ArrayDeque<>();
        private int submitted;
        private int returned;

        private Epoch(int epoch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.mosaicOn = mosaicOn(epoch);
            fill();
        }

        private void fill() {
            while (submitted < size() && inFlight.size() < options.prefetch()) {
                final int b = submitted++;
                inFlight.add(pool.submit(() -> build(epoch, b, order, mosaicOn)));
            }
        }

        public int epoch() {
            return epoch;
        }

        @Override
        public boolean hasNext() {
            return returned < size();
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has " + size() + " batches");
            }
            if (pool.isShutdown()) {
                throw new IllegalStateException(
                        "the loader was closed; open a new DetectionLoader");
            }
            Future<Batch> head = inFlight.poll();
            try {
                Batch batch = head.get();
                returned++;
                fill();
                return batch;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (CancellationException e) {
                throw new IllegalStateException(
                        "the loader was closed; open a new DetectionLoader", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re
                        ? re
                        : new IllegalStateException("batch " + returned + " failed", e.getCause());
            }
        }

        @Override
        public Iterator<Batch> iterator() {
            return this;
        }

        /** Cancels batches not yet taken. */
        @Override
        public void close() {
            inFlight.forEach(f -> f.cancel(false));
            inFlight.clear();
            returned = size();
        }
    }
}
