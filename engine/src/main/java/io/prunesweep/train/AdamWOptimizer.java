package io.prunesweep.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.AdamW(betas=(momentum, 0.999), eps=1e-8)} with decoupled weight decay on conv weights only
 * (ultralytics' groups); {@code momentum} of the step is beta1, so the warmup ramps it like SGD's momentum.
 */
final class AdamWOptimizer implements Optimizer {
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;
    private final ParamGroups groups;
    private final float weightDecay;
    private final OptimizerState state;
    private long steps;

    AdamWOptimizer(ParamGroups groups, Map<Parameter, String> names, float weightDecay) {
        this.groups = groups;
        this.weightDecay = weightDecay;
        NDManager m = groups.all().get(0).getArray().getManager();
        this.state = new OptimizerState(m, names);
    }

    @Override
    public void step(GroupSettings s) {
        steps++;
        float beta1 = s.momentum();
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(BETA2, steps);
        List<List<Parameter>> gs = groups.groups();
        try (NDManager scope = state.manager().newSubManager()) {
            for (int gi = 0; gi < gs.size(); gi++) {
                float lr = s.lr()[gi];
                for (Parameter p : gs.get(gi)) {
                    NDArray w = p.getArray();
                    NDArray g = w.getGradient();
                    g.attach(scope);
                    if (gi == 2 && weightDecay != 0f) w.muli(1f - lr * weightDecay);
                    NDArray m = state.buffer("exp_avg", p).muli(beta1).addi(g.mul(1f - beta1));
                    NDArray v = state.buffer("exp_avg_sq", p).muli(BETA2).addi(g.square().muli(1f - BETA2));
                    NDArray denom = v.sqrt().divi((float) Math.sqrt(bc2)).addi(EPS);
                    w.subi(m.div(denom).muli((float) (lr / bc1)));
                }
            }
        }
    }

    @Override
    public Map<String, float[]> state() {
        Map<String, float[]> out = state.export();
        out.put("steps", new float[] {steps});
        return out;
    }

    @Override
    public void loadState(Map<String, float[]> st) {
        state.load(st, groups.all(), "exp_avg", "exp_avg_sq");
        float[] n = st.get("steps");
        steps = n == null ? 0 : (long) n[0];
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public String name() {
        return "AdamW";
    }

    @Override
    public void close() {
        state.close();
    }
}
