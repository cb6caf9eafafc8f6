package io.prunesweep.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Optimizer, schedule, sparsity and clipping checked against PyTorch/ultralytics formulas computed
 * by hand.
 */
class TrainCoreTest {

    private static Parameter param(NDManager m, String name, float... v) {
        Parameter p =
                Parameter.builder()
                        .setName(name)
                        .setType(Parameter.Type.WEIGHT)
                        .optArray(null)
                        .optShape(new ai.djl.ndarray.types.Shape(v.length))
                        .optInitializer((mm, s, t) -> mm.create(v))
                        .build();
        p.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
        return p;
    }

    /** loss = sum(c * w^2 / 2) so the gradient is c * w. */
    private static void backward(List<Parameter> ps, float c) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (Parameter p : ps) {
                NDArray l = p.getArray().square().mul(c / 2f).sum();
                loss = loss == null ? l : loss.add(l);
            }
            gc.backward(loss);
        }
    }

    private static void zero(List<Parameter> ps) {
        for (Parameter p : ps) {
            NDArray g = p.getArray().getGradient();
            g.subi(g);
            g.close();
        }
    }

    @Test
    void sgdNesterovWithDecayOnWeightsOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter bias = param(m, "b.bias", 1f);
            Parameter w = param(m, "c.weight", 2f);
            ParamGroups groups = new ParamGroups(List.of(bias), List.of(), List.of(w));
            Map<Parameter, String> names =
                    new IdentityHashMap<>(Map.of(bias, "b.bias", w, "c.weight"));
            float lr = 0.1f, mom = 0.9f, wd = 0.5f;
            double pb = 1, pw = 2, bufB = 0, bufW = 0;
            try (Optimizer opt = Optimizer.create("SGD", groups, names, wd)) {
                for (int step = 0; step < 3; step++) {
                    backward(List.of(bias, w), 1f);
                    opt.step(new Optimizer.GroupSettings(new float[] {lr, lr, lr}, mom));
                    zero(List.of(bias, w));
                    double gb = pb, gw = pw + wd * pw;
                    bufB = step == 0 ? gb : mom * bufB + gb;
                    bufW = step == 0 ? gw : mom * bufW + gw;
                    pb -= lr * (gb + mom * bufB);
                    pw -= lr * (gw + mom * bufW);
                    assertEquals(pb, bias.getArray().getFloat(0), 1e-6);
                    assertEquals(pw, w.getArray().getFloat(0), 1e-6);
                }
                assertEquals(3, opt.steps());
            }
        }
    }

    @Test
    void adamWMatchesTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = param(m, "c.weight", 2f);
            ParamGroups groups = new ParamGroups(List.of(), List.of(), List.of(w));
            float lr = 0.01f, b1 = 0.9f, wd = 0.1f;
            double p = 2, mm = 0, vv = 0;
            try (Optimizer opt =
                    Optimizer.create(
                            "AdamW", groups, new IdentityHashMap<>(Map.of(w, "c.weight")), wd)) {
                for (int t = 1; t <= 3; t++) {
                    backward(List.of(w), 3f);
                    opt.step(new Optimizer.GroupSettings(new float[] {lr, lr, lr}, b1));
                    zero(List.of(w));
                    double g = 3 * p;
                    p *= 1 - lr * wd;
                    mm = b1 * mm + (1 - b1) * g;
                    vv = 0.999 * vv + 0.001 * g * g;
                    double denom = Math.sqrt(vv) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                    p -= lr / (1 - Math.pow(b1, t)) * mm / denom;
                    assertEquals(p, w.getArray().getFloat(0), 1e-6);
                }
            }
        }
    }

    @Test
    void warmupAndLinearDecayAsUltralytics() {
        TrainConfig c = TrainConfig.defaults().withEpochs(10);
        LrSchedule s =
                LrSchedule.of(c, 0.01f, 0.937f, 0.1f, 20); // nw = max(round(3*20), 100) = 100
        assertEquals(100, s.warmupIterations());
        assertEquals(1f, s.factor(0), 1e-7);
        assertEquals(0.9f * 0.99f + 0.01f, s.factor(1), 1e-7); // (1 - 1/10)(1 - lrf) + lrf
        Optimizer.GroupSettings at50 = s.at(2, 50);
        float target = 0.01f * s.factor(2);
        assertEquals(0.1f + (target - 0.1f) * 0.5f, at50.lr()[0], 1e-7); // bias lr falls from 0.1
        assertEquals(target * 0.5f, at50.lr()[2], 1e-7); // others rise from 0
        assertEquals(0.8f + (0.937f - 0.8f) * 0.5f, at50.momentum(), 1e-6);
        Optimizer.GroupSettings after = s.at(5, 500);
        assertArrayEquals(
                new float[] {0.01f * s.factor(5), 0.01f * s.factor(5), 0.01f * s.factor(5)},
                after.lr(),
                1e-9f);
        assertEquals(4, s.accumulate(500, 64, 16));
        assertEquals(1, s.accumulate(0, 64, 16));
        assertEquals(3, s.accumulate(60, 64, 16)); // interp(60, [0,100], [1, 4]) = 2.8 -> 3
    }

    @Test
    void autoOptimizerChoosesLikeUltralytics() {
        TrainConfig c = TrainConfig.defaults();
        TrainConfig.ResolvedOptimizer small = c.resolveOptimizer(5000, 3);
        assertEquals("AdamW", small.name());
        assertEquals(0.001429f, small.lr0(), 1e-9); // round(0.002 * 5 / 7, 6)
        assertEquals(0f, small.warmupBiasLr());
        assertEquals("SGD", c.resolveOptimizer(20_000, 80).name());
    }

    @Test
    void sparsityAddsLambdaSignGammaToTheGradientAndDecays() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter gamma = param(m, "x.bn.weight", 0.5f, -2f, 0f);
            Parameter beta = param(m, "x.bn.bias", 1f, -1f, 3f);
            Parameter other = param(m, "y.bn.weight", 4f);
            backward(List.of(gamma, beta, other), 1f); // grad = value
            ParamGroups groups = new ParamGroups(List.of(beta), List.of(gamma, other), List.of());
            try (FlatParameters flat = new FlatParameters(groups);
                    SparsityRegularizer reg =
                            new SparsityRegularizer(
                                    List.of(gamma), List.of(beta), 1e-2f, 1e-1f, 10);
                    NDManager scope = m.newSubManager()) {
                NDArray g = flat.gradients(scope);
                reg.apply(
                        5,
                        flat,
                        g,
                        flat.weights(scope)); // lambda_e = 0.01 * (1 - 0.9 * 5/10) = 0.0055
                // flat order: biases (beta), BN weights (gamma, other); sign(0) = 0 adds nothing
                assertArrayEquals(
                        new float[] {
                            1f + 0.055f,
                            -1f - 0.055f,
                            3f + 0.055f,
                            0.5f + 0.0055f,
                            -2f - 0.0055f,
                            0f,
                            4f
                        },
                        flat.gradientValues(),
                        1e-7f); // g is the live gradient buffer
                assertArrayEquals(
                        new float[] {0.5f + 0.0055f, -2f - 0.0055f, 0f},
                        gamma.getArray().getGradient().toFloatArray(),
                        1e-7f);
            }
            SparsityRegularizer reg =
                    new SparsityRegularizer(List.of(gamma), List.of(), 1e-2f, 0f, 10);
            assertEquals(0.001f, reg.lambdaAt(10), 1e-9);
        }
    }

    @Test
    void gradClipScalesToMaxNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter a = param(m, "a.weight", 3f, 4f);
            Parameter b = param(m, "b.weight", 12f);
            backward(List.of(a, b), 1f); // grads 3,4,12: norm 13
            try (FlatParameters flat =
                            new FlatParameters(
                                    new ParamGroups(List.of(), List.of(), List.of(a, b)));
                    NDManager scope = m.newSubManager()) {
                NDArray g = flat.gradients(scope);
                assertEquals(13f, GradClip.clip(g, 6.5f).getFloat(), 1e-5);
                assertArrayEquals(new float[] {1.5f, 2f, 6f}, flat.gradientValues(), 1e-5f);
                assertArrayEquals(
                        new float[] {6f},
                        b.getArray().getGradient().toFloatArray(),
                        1e-5f); // clipped in the parameter's own gradient
                NDArray doubled = g.mul(2f);
                assertEquals(
                        13f,
                        GradClip.clip(doubled, 100f).getFloat(),
                        1e-4); // below the limit: unchanged
                assertEquals(19f, doubled.sum().getFloat(), 1e-4); // 3 + 4 + 12
            }
        }
    }
}
