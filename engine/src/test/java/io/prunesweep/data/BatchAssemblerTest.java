package io.prunesweep.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * Pixels land in the batch buffer as RGB planes in [0, 1], also when a recycled buffer is written
 * again.
 */
class BatchAssemblerTest {
    private static SampleTransform.Sample sample(int h, int w, long seed) {
        Mat m = new Mat(h, w, CvType.CV_8UC3);
        Core.setRNGSeed((int) seed);
        Core.randu(m, 0, 256);
        return new SampleTransform.Sample(
                m,
                new Boxes(new float[] {1}, new float[] {2, 4, 10, 12}),
                new ImageInfo("s" + seed, h, w, 1, 1, 0, 0));
    }

    private static void assertPixels(
            List<SampleTransform.Sample> samples, Batch batch, int h, int w) {
        float[] data = batch.imageData();
        byte[] bgr = new byte[h * w * 3];
        for (int b = 0; b < samples.size(); b++) {
            samples.get(b).image().get(0, 0, bgr);
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < h * w; p++) {
                    float want = (bgr[3 * p + 2 - c] & 0xFF) / 255f;
                    assertEquals(
                            want,
                            data[(b * 3 + c) * h * w + p],
                            1e-6f,
                            "image " + b + " channel " + c + " pixel " + p);
                }
            }
        }
    }

    @Test
    void rgbPlanesScaledToUnitRangeAndRecycledBuffersRewritten() {
        OpenCvNatives.load();
        int h = 24;
        int w = 40;
        PixelBuffers pool = new PixelBuffers(2);
        List<SampleTransform.Sample> first = List.of(sample(h, w, 1), sample(h, w, 2));
        Batch a = BatchAssembler.assemble(0, first, h, w, pool);
        assertPixels(first, a, h, w);
        assertEquals(12, a.targetData().length); // one box per image
        assertEquals(1, a.targetData()[1], 0f); // class of image 0's box
        a.release();
        a.release(); // idempotent: the buffer goes back once
        assertThrows(IllegalStateException.class, a::imageData);

        List<SampleTransform.Sample> second = List.of(sample(h, w, 3), sample(h, w, 4));
        Batch b = BatchAssembler.assemble(1, second, h, w, pool);
        assertPixels(
                second, b, h, w); // the recycled buffer holds the new images, nothing of the old
        Batch c =
                BatchAssembler.assemble(2, second, h, w, pool); // pool empty again: a fresh buffer
        assertPixels(second, c, h, w);
        b.release();
        c.release();
        assertEquals(2 * 3 * h * w * 4, pool.take(2 * 3 * h * w * 4).capacity());
        first.forEach(SampleTransform.Sample::close);
        second.forEach(SampleTransform.Sample::close);
    }
}
