package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.AdamW(betas=(momentum, 0.999), eps=1e-8)} with decoupled weight decay on conv
 * weights only (ultralytics' groups); {@code momentum} of the step is beta1, so the warmup ramps it
 * like SGD's momentum. torch's {@code p *= 1 - lr*wd; p -= lr/bc1 * m/(sqrt(v)/sqrt(bc2) + eps)} is
 * applied as one subtraction {@code p -= lr * (m/((sqrt(v)/sqrt(bc2) + eps) * bc1) + wd*p)} (equal
 * up to float rounding).
 */
final class AdamWOptimizer extends FlatOptimizer {
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    AdamWOptimizer(
            FlatParameters flat,
            boolean ownsFlat,
            Map<Parameter, String> names,
            float weightDecay) {
        super(flat, ownsFlat, names, weightDecay);
    }

    @Override
    List<String> kinds() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    public void step(NDArray g, NDArray w, GroupSettings s) {
        NDManager scope = g.getManager();
        steps++;
        float beta1 = s.momentum();
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(BETA2, steps);
        NDArray m = buffer("exp_avg").muli(beta1).addi(g.mul(1f - beta1));
        NDArray v = buffer("exp_avg_sq").muli(BETA2).addi(g.square().muli(1f - BETA2));
        NDArray denom = scoped(v.sqrt(), scope).divi((float) Math.sqrt(bc2)).addi(EPS);
        NDArray update = scoped(m.div(denom), scope).divi((float) bc1);
        if (weightDecay != 0f) {
            flat.group(update, 2).addi(flat.group(w, 2).mul(weightDecay));
        }
        apply(update, s);
    }

    @Override
    public String name() {
        return "AdamW";
    }
}
