package io.prunesweep.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Packs transformed samples into a {@link Batch}: BGR uint8 HWC to RGB float NCHW in [0, 1]. Each
 * channel is extracted and scaled by OpenCV straight into its plane of the batch's direct buffer (a
 * Mat wrapping that memory), so no pixel passes through a Java array.
 */
final class BatchAssembler {
    private BatchAssembler() {}

    static Batch assemble(int index, List<SampleTransform.Sample> samples, int h, int w) {
        return assemble(index, samples, h, w, null);
    }

    /** With {@code pool} (may be null) the pixel buffer is taken from and later returned to it. */
    static Batch assemble(
            int index, List<SampleTransform.Sample> samples, int h, int w, PixelBuffers pool) {
        int plane = h * w;
        int bytes = samples.size() * 3 * plane * Float.BYTES;
        ByteBuffer pixels =
                pool != null
                        ? pool.take(bytes)
                        : ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        int nTargets = samples.stream().mapToInt(s -> s.boxes().n()).sum();
        float[] targets = new float[6 * nTargets];
        List<ImageInfo> infos = new ArrayList<>(samples.size());
        int t = 0;
        Mat channel = new Mat();
        for (int b = 0; b < samples.size(); b++) {
            SampleTransform.Sample s = samples.get(b);
            if (s.image().rows() != h || s.image().cols() != w) {
                throw new IllegalStateException(
                        "sample "
                                + s.info().path()
                                + " is "
                                + s.image().size()
                                + ", batch expects "
                                + w
                                + "x"
                                + h);
            }
            for (int c = 0; c < 3; c++) { // the image is B, G, R; the batch is R, G, B
                Core.extractChannel(s.image(), channel, 2 - c);
                Mat dst =
                        new Mat(
                                h,
                                w,
                                CvType.CV_32FC1,
                                pixels.slice(
                                        (b * 3 + c) * plane * Float.BYTES, plane * Float.BYTES));
                channel.convertTo(
                        dst,
                        CvType.CV_32F,
                        1.0 / 255.0); // writes in place: dst already has this size and type
                dst.release();
            }
            float[] xyxy = s.boxes().xyxy();
            float[] cls = s.boxes().cls();
            for (int i = 0; i < cls.length; i++, t++) {
                targets[6 * t] = b;
                targets[6 * t + 1] = cls[i];
                targets[6 * t + 2] = (xyxy[4 * i] + xyxy[4 * i + 2]) / 2 / w;
                targets[6 * t + 3] = (xyxy[4 * i + 1] + xyxy[4 * i + 3]) / 2 / h;
                targets[6 * t + 4] = (xyxy[4 * i + 2] - xyxy[4 * i]) / w;
                targets[6 * t + 5] = (xyxy[4 * i + 3] - xyxy[4 * i + 1]) / h;
            }
            infos.add(s.info());
        }
        channel.release();
        return new Batch(index, h, w, pixels, pool, targets, infos);
    }
}
