package io.prunesweep.data;

import io.prunesweep.InputException;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.opencv.core.Mat;

/**
 * Decoded images of a dataset at the long-side size imgsz: read through Hadoop and decoded on each
 * request, or served from an optional RAM cache filled once (ultralytics {@code cache=ram}).
 */
final class ImageSource implements AutoCloseable {
    private final YoloDataset dataset;
    private final int imgsz;
    private Mat[] cache;

    ImageSource(YoloDataset dataset, int imgsz) {
        this.dataset = dataset;
        this.imgsz = imgsz;
    }

    /** Decodes every image once with the given pool and keeps it; returns the bytes held. */
    long fillCache(ExecutorService pool) {
        Mat[] mats = new Mat[dataset.size()];
        List<Future<Mat>> futures = new ArrayList<>(mats.length);
        for (int i = 0; i < mats.length; i++) {
            final int k = i;
            futures.add(
                    pool.submit(
                            () -> {
                                try {
                                    return decode(k);
                                } catch (InputException e) {
                                    return null; // unreadable since the scan: load() tries again
                                    // and the loader skips it
                                }
                            }));
        }
        long bytes = 0;
        try {
            for (int i = 0; i < mats.length; i++) {
                mats[i] = futures.get(i).get();
                if (mats[i] != null) {
                    bytes += mats[i].total() * mats[i].elemSize();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("image caching interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re
                    ? re
                    : new IllegalStateException(e.getCause());
        }
        cache = mats;
        return bytes;
    }

    int size() {
        return dataset.size();
    }

    float[] labels(int i) {
        return dataset.get(i).labels();
    }

    LabeledImage entry(int i) {
        return dataset.get(i);
    }

    LoadedImage load(int i) {
        LabeledImage e = dataset.get(i);
        if (cache != null && cache[i] != null) {
            return new LoadedImage(cache[i], e.height(), e.width(), false);
        }
        return new LoadedImage(decode(i), e.height(), e.width(), true);
    }

    private Mat decode(int i) {
        LabeledImage e = dataset.get(i);
        byte[] bytes;
        try {
            bytes = FileSystems.readBytes(e.image(), dataset.conf());
        } catch (IOException ex) {
            throw new InputException(
                    e.image()
                            + ": cannot read any more ("
                            + ex.getMessage()
                            + "); it was readable when the dataset was scanned",
                    ex);
        }
        Mat img = ImageCodec.decodeBgr(bytes);
        if (img == null) {
            throw new InputException(
                    e.image() + ": no longer decodes; it did when the dataset was scanned");
        }
        Mat resized = ImageCodec.resizeLongSide(img, imgsz);
        if (resized != img) {
            img.release();
        }
        return resized;
    }

    @Override
    public void close() {
        if (cache != null) {
            for (Mat m : cache) {
                if (m != null) {
                    m.release();
                }
            }
            cache = null;
        }
    }
}
