package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.SGD(nesterov=True)} as ultralytics configures it: weight decay (L2 added to the gradient) on
 * conv weights only; {@code buf = m*buf + g}; {@code p -= lr * (g + m*buf)}.
 */
final class SgdOptimizer implements Optimizer {
    private final ParamGroups groups;
    private final float weightDecay;
    private final OptimizerState state;
    private long steps;

    SgdOptimizer(ParamGroups groups, Map<Parameter, String> names, float weightDecay) {
        this.groups = groups;
        this.weightDecay = weightDecay;
        NDManager m = groups.all().get(0).getArray().getManager();
        this.state = new OptimizerState(m, names);
    }

    @Override
    public void step(GroupSettings s) {
        List<List<Parameter>> gs = groups.groups();
        try (NDManager scope = state.manager().newSubManager()) {
            for (int gi = 0; gi < gs.size(); gi++) {
                float lr = s.lr()[gi];
                float wd = gi == 2 ? weightDecay : 0f;
                for (Parameter p : gs.get(gi)) {
                    NDArray w = p.getArray();
                    NDArray g = w.getGradient();
                    g.attach(scope);
                    if (wd != 0f) g = g.add(w.mul(wd));
                    NDArray buf = state.buffer("momentum", p);
                    if (steps == 0) {
                        buf.addi(g); // torch: the first step's buffer is the gradient itself (buf starts at 0)
                    } else {
                        buf.muli(s.momentum()).addi(g);
                    }
                    w.subi(g.add(buf.mul(s.momentum())).muli(lr));
                }
            }
        }
        steps++;
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> out = state.export();
        out.put("steps", new float[] {steps});
        return out;
    }

    @Override
    public void loadState(Map<String, float[]> st) {
        state.load(st, groups.all(), "momentum");
        float[] n = st.get("steps");
        steps = n == null ? 0 : (long) n[0];
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public String name() {
        return "SGD";
    }

    @Override
    public void close() {
        state.close();
    }
}
