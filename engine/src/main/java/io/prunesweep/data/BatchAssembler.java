package io.prunesweep.data;

import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/** Packs transformed samples into a {@link Batch}: BGR uint8 HWC to RGB float NCHW with OpenCV's native ops. */
final class BatchAssembler {
    private BatchAssembler() {}

    static Batch assemble(int index, List<SampleTransform.Sample> samples, int h, int w) {
        int plane = h * w;
        float[] images = new float[samples.size() * 3 * plane];
        float[] buf = new float[plane];
        int nTargets = samples.stream().mapToInt(s -> s.boxes().n()).sum();
        float[] targets = new float[6 * nTargets];
        List<ImageInfo> infos = new ArrayList<>(samples.size());
        int t = 0;
        Mat f = new Mat();
        List<Mat> planes = new ArrayList<>(3);
        for (int b = 0; b < samples.size(); b++) {
            SampleTransform.Sample s = samples.get(b);
            if (s.image().rows() != h || s.image().cols() != w) {
                throw new IllegalStateException("sample " + s.info().path() + " is " + s.image().size()
                        + ", batch expects " + w + "x" + h);
            }
            s.image().convertTo(f, CvType.CV_32FC3, 1.0 / 255.0);
            Core.split(f, planes);
            for (int c = 0; c < 3; c++) { // planes are B, G, R; the batch is R, G, B
                planes.get(2 - c).get(0, 0, buf);
                System.arraycopy(buf, 0, images, (b * 3 + c) * plane, plane);
            }
            planes.forEach(Mat::release);
            planes.clear();
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
        f.release();
        return new Batch(index, h, w, images, targets, infos);
    }
}
