package io.prunesweep.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * One batch: images {@code [B, 3, H, W]} RGB in [0, 1] (NCHW, float32) and targets {@code [N, 6]}
 * rows of {@code (batch_index, class, cx, cy, w, h)} normalized to the batch image size, plus
 * per-image provenance.
 *
 * <p>The pixels live in a direct, native-order buffer written by OpenCV in the loader's worker;
 * {@link #images} copies them into a tensor with one native copy (no Java array in between). Call
 * {@link #release()} when the batch is done with: the buffer goes back to the loader for a later
 * batch instead of waiting for a garbage collection. (The tensor never uses the buffer's memory
 * directly: with zero-copy tensors over recycled buffers, training runs were intermittently not
 * reproducible.)
 */
public final class Batch {
    private final int index;
    private final int height;
    private final int width;
    private final PixelBuffers pool;
    private ByteBuffer pixels;
    private final float[] targets;
    private final List<ImageInfo> infos;

    Batch(
            int index,
            int height,
            int width,
            ByteBuffer pixels,
            PixelBuffers pool,
            float[] targets,
            List<ImageInfo> infos) {
        this.pool = pool;
        this.index = index;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.targets = targets;
        this.infos = List.copyOf(infos);
    }

    /** Position of this batch in its epoch. */
    public int index() {
        return index;
    }

    /** Number of images. */
    public int size() {
        return infos.size();
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** A copy of the NCHW pixels. */
    public float[] imageData() {
        float[] out = new float[pixels().capacity() / Float.BYTES];
        pixels.duplicate().order(pixels.order()).asFloatBuffer().get(out);
        return out;
    }

    /** Hands the pixel memory back for reuse; the images cannot be read afterwards. Idempotent. */
    public void release() {
        ByteBuffer b = pixels;
        pixels = null;
        if (b != null && pool != null) {
            pool.give(b);
        }
    }

    private ByteBuffer pixels() {
        if (pixels == null) {
            throw new IllegalStateException(
                    "batch " + index + " was released; its pixels are gone");
        }
        return pixels;
    }

    /** The raw target rows ({@code 6 * targetCount()} floats); do not modify. */
    public float[] targetData() {
        return targets;
    }

    public int targetCount() {
        return targets.length / 6;
    }

    public List<ImageInfo> infos() {
        return infos;
    }

    public Shape imageShape() {
        return new Shape(size(), 3, height, width);
    }

    /** float32 {@code [B, 3, H, W]} on the manager's device. */
    public NDArray images(NDManager manager) {
        // The tensor gets its own copy (one native memcpy): the pixel buffer is recycled for later
        // batches, so
        // libtorch must never hold its address.
        try (NDArray view =
                manager.create(
                        pixels().duplicate().order(pixels.order()),
                        imageShape(),
                        DataType.FLOAT32)) {
            return view.duplicate();
        }
    }

    /** float32 {@code [N, 6]}. */
    public NDArray targets(NDManager manager) {
        return manager.create(FloatBuffer.wrap(targets), new Shape(targetCount(), 6));
    }

    /** {@code [images, targets]}. */
    public NDList toNDList(NDManager manager) {
        return new NDList(images(manager), targets(manager));
    }
}
