package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.SGD(nesterov=True)} as ultralytics configures it: weight decay (L2 added to
 * the gradient) on conv weights only; {@code buf = m*buf + g}; {@code p -= lr * (g + m*buf)}. The
 * buffer starts at zero, which makes the first step's buffer the gradient itself, as torch's {@code
 * buf = clone(g)}.
 */
final class SgdOptimizer extends FlatOptimizer {

    SgdOptimizer(
            FlatParameters flat,
            boolean ownsFlat,
            Map<Parameter, String> names,
            float weightDecay) {
        super(flat, ownsFlat, names, weightDecay);
    }

    @Override
    List<String> kinds() {
        return List.of("momentum");
    }

    @Override
    public void step(NDArray g, NDArray w, GroupSettings s) {
        NDManager scope = g.getManager();
        float m = s.momentum();
        if (weightDecay != 0f) {
            flat.group(g, 2).addi(flat.group(w, 2).mul(weightDecay));
        }
        NDArray buf = buffer("momentum").muli(m).addi(g);
        g.addi(scoped(buf.mul(m), scope)); // nesterov: g + m * buf
        apply(g, s);
        steps++;
    }

    @Override
    public String name() {
        return "SGD";
    }
}
