package io.prunesweep.prune.reconstruct;

import io.prunesweep.InputException;
import io.prunesweep.data.Batch;
import io.prunesweep.data.DetectionLoader;
import io.prunesweep.data.YoloDataset;
import java.util.ArrayList;
import java.util.List;

/**
 * The calibration images of a reconstruction, held on the host as NCHW batches: the first {@code n}
 * images of a split, letterboxed as validation prepares them (no augmentation, dataset order, so a
 * run is reproducible).
 */
public record CalibrationImages(List<float[]> batches, List<long[]> shapes) {

    public CalibrationImages {
        batches = List.copyOf(batches);
        shapes = List.copyOf(shapes);
    }

    public int images() {
        int n = 0;
        for (long[] s : shapes) {
            n += (int) s[0];
        }
        return n;
    }

    public static CalibrationImages load(
            YoloDataset split, int n, int imgsz, int batch, int workers) {
        if (split.size() == 0) {
            throw new InputException(
                    "no images in the "
                            + split.split()
                            + " split to calibrate the reconstruction on");
        }
        int want = Math.min(n, split.size());
        List<float[]> data = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        DetectionLoader.Options opts =
                DetectionLoader.Options.val(imgsz, batch).withWorkers(Math.max(1, workers));
        int taken = 0;
        try (DetectionLoader loader = new DetectionLoader(split, opts);
                DetectionLoader.Epoch epoch = loader.epoch(0)) {
            for (Batch b : epoch) {
                try {
                    int use = Math.min(b.size(), want - taken);
                    float[] px = b.imageData();
                    int per = 3 * b.height() * b.width();
                    if (use < b.size()) {
                        px = java.util.Arrays.copyOf(px, use * per);
                    }
                    data.add(px);
                    shapes.add(new long[] {use, 3, b.height(), b.width()});
                    taken += use;
                } finally {
                    b.release();
                }
                if (taken >= want) {
                    break;
                }
            }
        }
        return new CalibrationImages(data, shapes);
    }
}
