package io.prunesweep;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prunesweep.data.ImageCodec;
import io.prunesweep.data.LetterBox;
import io.prunesweep.data.SyntheticShapes;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Mat;

/**
 * The trained YOLOv8n shipped in {@code src/test/resources/fixtures} (see the README there): 3
 * classes, 128 px, trained 15 epochs on the synthetic shapes set by the quickstart sweep. Unlike a
 * freshly initialised network its BatchNorm statistics and γ are far from uniform, so pruning
 * removes channels that matter and every conv's numbers reach the output: the network that hid
 * nothing when oneDNN miscomputed pruned widths.
 */
public final class TrainedFixture {
    public static final String DENSE_RESOURCE = "/fixtures/dense-yolov8n-shapes128.safetensors";

    /** sha256 of the dense fixture (prefix 658313ee in the fixture README). */
    public static final String DENSE_SHA256 =
            "658313ee3e7b74a832384cebecb3a82289b5c1698e32bac809b7d74ae3ae3156";

    /**
     * sha256 of {@code pruned-bn-r0.2.safetensors} (prefix 6ea2147a in the fixture README): the
     * quickstart sweep's prune stage (bn, ratio 0.2, global, min_channels 8, round_to 8, seed 0)
     * applied to the dense fixture.
     */
    public static final String PRUNED_BN_02_SHA256 =
            "6ea2147ad48c5c39bdfae846c54a5e409108c659f3a1493c5eba8e3933aa5df7";

    /**
     * The path the sweep recorded as the pruned fixture's source (its {@code
     * prunesweep.pruned_from}).
     */
    public static final String PRUNED_FROM =
            "runs/sweeps/quickstart/stages/dense/d-0af958176a/model.safetensors";

    public static final int IMGSZ = 128;
    public static final int NC = 3;

    /**
     * The dataset the fixture was trained and validated on: {@code shapes:train=256,val=32}, 128
     * px, seed 0.
     */
    public static final SyntheticShapes.Options SHAPES =
            new SyntheticShapes.Options(256, 32, IMGSZ, 0, ".jpg");

    private TrainedFixture() {}

    /**
     * The convolutions of {@code g} that the faulty oneDNN AVX-512 kernels got wrong: 3 x 3, not
     * depthwise, with more input channels than one 16-lane vector block and not a multiple of it
     * (the fixture README's table). A regression test is only a regression test for that fault if
     * its network has some.
     */
    public static List<String> faultProneConvs(ModelGraph g) {
        List<String> out = new ArrayList<>();
        for (Layer l : g.layers()) {
            l.convs()
                    .forEach(
                            (path, c) -> {
                                if (c.kernel() == 3
                                        && !c.depthwise()
                                        && c.in() > 16
                                        && c.in() % 16 != 0) {
                                    out.add(l.prefix(path) + " in=" + c.in());
                                }
                            });
        }
        return out;
    }

    /** The dense checkpoint on disk (copied into target/test-classes by Maven). */
    public static Path densePath() {
        URL url = TrainedFixture.class.getResource(DENSE_RESOURCE);
        if (url == null) {
            throw new IllegalStateException(DENSE_RESOURCE + " is not on the test classpath");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh copy of the trained dense model on the CPU (the caller closes it). */
    public static YoloModel loadDense() {
        return Checkpoint.load(densePath().toString(), null, Device.cpu());
    }

    /**
     * The first {@code n} validation images of the fixture's dataset as the network sees them at
     * inference: rendered, JPEG round-tripped as on disk, letterboxed (centred, gray 114) to 128 x
     * 128, RGB, [0, 1], {@code [n, 3, 128, 128]}.
     */
    public static NDArray shapesBatch(NDManager manager, int n) {
        int plane = IMGSZ * IMGSZ;
        float[] out = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            try (SyntheticShapes.Rendered r = SyntheticShapes.render("val", i, SHAPES)) {
                Mat decoded = ImageCodec.decodeBgr(ImageCodec.encode(r.image(), SHAPES.suffix()));
                Mat boxed =
                        LetterBox.compute(decoded.rows(), decoded.cols(), IMGSZ, IMGSZ, true, true)
                                .apply(decoded);
                byte[] bgr = new byte[plane * 3];
                boxed.get(0, 0, bgr);
                for (int p = 0; p < plane; p++) {
                    for (int c = 0; c < 3; c++) {
                        // BGR (OpenCV) -> RGB planes
                        out[(i * 3 + c) * plane + p] = (bgr[p * 3 + (2 - c)] & 0xFF) / 255f;
                    }
                }
                decoded.release();
                boxed.release();
            }
        }
        return manager.create(out, new Shape(n, 3, IMGSZ, IMGSZ));
    }
}
