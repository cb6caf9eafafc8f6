package io.prunesweep.train.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (the name does not match Surefire's patterns); run on purpose with {@code
 * mvn -B -q -o -pl engine test -Dtest=DetectionLossBenchmark}. Prints the number of arrays one loss
 * call creates and its wall time for B=16 at 640 px, nc=80; asserts nothing about time.
 */
class DetectionLossBenchmark {
    @Test
    void opsAndTimeAt640() {
        int bs = 16;
        int nc = 80;
        int boxesPerImage = 8;
        Random rnd = new Random(1);
        DetectionLoss loss = new DetectionLoss(nc, new float[] {8, 16, 32});
        try (NDManager m = NDManager.newBaseManager()) {
            NDList feats = new NDList();
            for (int s : new int[] {80, 40, 20}) {
                feats.add(m.randomNormal(0f, 1f, new Shape(bs, 64 + nc, s, s), DataType.FLOAT32));
            }
            float[] t = new float[bs * boxesPerImage * 6];
            for (int i = 0; i < bs * boxesPerImage; i++) {
                float w = 0.05f + 0.4f * rnd.nextFloat();
                float h = 0.05f + 0.4f * rnd.nextFloat();
                t[6 * i] = i / boxesPerImage;
                t[6 * i + 1] = rnd.nextInt(nc);
                t[6 * i + 2] = w / 2 + (1 - w) * rnd.nextFloat();
                t[6 * i + 3] = h / 2 + (1 - h) * rnd.nextFloat();
                t[6 * i + 4] = w;
                t[6 * i + 5] = h;
            }
            NDArray targets = m.create(t, new Shape(bs * boxesPerImage, 6));
            try (NDManager scratch = m.newSubManager()) {
                loss.compute(feats, targets, 640, 640, scratch);
                System.out.println(
                        "arrays created by one loss call (B=16, 640 px, nc=80, 8 boxes/img): "
                                + scratch.getManagedArrays().size());
            }
            var c = LossFixtures.cases().get(1);
            try (NDManager scratch = m.newSubManager()) {
                LossFixtures.loss(c)
                        .compute(
                                LossFixtures.feats(m, c),
                                LossFixtures.targets(m, c),
                                64,
                                96,
                                scratch);
                System.out.println(
                        "arrays created by one loss call (B=3, 64x96 px, nc=4, fixture case 2): "
                                + scratch.getManagedArrays().size());
            }
            try (NDManager scratch = m.newSubManager()) {
                NDArray a = scratch.ones(new Shape(4));
                int before = scratch.getManagedArrays().size();
                a.mul(2f);
                a.get("0:2");
                a.get("..., 1");
                System.out.println(
                        "arrays left by mul(2f), get(slice), get(index): "
                                + (scratch.getManagedArrays().size() - before));
            }
            try (NDManager scratch = m.newSubManager()) {
                int n = 20000;
                NDArray a = scratch.ones(new Shape(4));
                NDArray b = scratch.ones(new Shape(4));
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    a.add(b).close();
                }
                System.out.printf(
                        "tiny add (array op + close): %.2f us%n",
                        (System.nanoTime() - t0) / 1e3 / n);
            }
            for (int rep = 0; rep < 3; rep++) {
                try (NDManager scratch = m.newSubManager()) {
                    long t0 = System.nanoTime();
                    var p = loss.prepare(scratch, feats, targets, 640, 640);
                    p.assignment().weight().sum().getFloat();
                    long t1 = System.nanoTime();
                    System.out.printf(
                            "prepare (decode + assign), no grad: %.1f ms%n", (t1 - t0) / 1e6);
                }
            }
            feats.forEach(f -> f.setRequiresGradient(true));
            for (int rep = 0; rep < 5; rep++) {
                long t0 = System.nanoTime();
                long t1;
                try (NDManager step = m.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    LossOutput out = loss.compute(feats, targets, 640, 640);
                    out.total().attach(step);
                    t1 = System.nanoTime();
                    gc.backward(out.total());
                }
                long t2 = System.nanoTime();
                System.out.printf(
                        "rep %d: loss forward %.1f ms, backward %.1f ms%n",
                        rep, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            }
        }
    }
}
