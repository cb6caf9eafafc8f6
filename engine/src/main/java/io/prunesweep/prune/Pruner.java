package io.prunesweep.prune;

import ai.djl.Device;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.StateDictCheck;
import io.prunesweep.model.YoloModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured channel pruning of any graph the builder makes: rank ({@link Ranking}), select
 * ({@link ChannelSelector}), rebuild the graph ({@link GraphRebuild}) and copy the kept weights
 * ({@link WeightTransfer}) into a new, physically smaller {@link YoloModel}.
 */
public final class Pruner {
    /** Largest ratio the target search tries (ratios are in [0, 1)). */
    public static final double MAX_RATIO = 0.999;

    private Pruner() {}

    /**
     * Called after each step of iterative pruning with the pruned model; returns the model the next step prunes
     * (e.g. after a short finetune). If it returns another model it must close {@code pruned} itself.
     */
    @FunctionalInterface
    public interface StepHook {
        StepHook NONE = (step, steps, pruned) -> pruned;

        YoloModel afterStep(int step, int steps, YoloModel pruned);
    }

    public static PruneResult prune(YoloModel model, PruneConfig config) {
        return prune(model, config, StepHook.NONE);
    }

    /**
     * Prunes {@code model} (left open and unchanged) and returns a new model; the caller closes both. With
     * {@code steps = k} the cumulative ratio grows linearly {@code r/k, 2r/k, ..., r}, always relative to the
     * original widths, and {@code hook} runs after every step.
     */
    public static PruneResult prune(YoloModel model, PruneConfig config, StepHook hook) {
        config.validate();
        long t0 = System.nanoTime();
        Map<String, Tensor> sd = model.stateDict();
        Ranking first = Ranking.of(model.graph(), sd, config);
        Target target = config.ratio() != null ? new Target(config.ratio(), null) : searchRatio(first, config);
        long rankNanos = System.nanoTime() - t0;
        long rebuildNanos = 0;
        Map<String, Integer> originalWidths = new HashMap<>();
        for (Space s : first.spaces().spaces()) originalWidths.put(s.name(), s.width());

        List<PrunePlan> plans = new ArrayList<>();
        YoloModel current = model;
        Ranking ranking = first;
        for (int step = 1; step <= config.steps(); step++) {
            long t1 = System.nanoTime();
            if (step > 1) {
                sd = current.stateDict();
                ranking = Ranking.of(current.graph(), sd, config);
            }
            double r = config.steps() == 1 ? target.ratio() : target.ratio() * step / config.steps();
            PrunePlan plan = ranking.plan(r, step == 1 ? null : widths(ranking.spaces(), originalWidths));
            long t2 = System.nanoTime();
            YoloModel next = build(plan, sd, model.device());
            long t3 = System.nanoTime();
            rankNanos += t2 - t1;
            rebuildNanos += t3 - t2;
            plans.add(plan);
            if (current != model) current.close();
            current = hook.afterStep(step, config.steps(), next);
        }
        return new PruneResult(current, model.graph(), current.graph(), config, target.ratio(), target.note(), plans,
                first.spaces().notes(), rankNanos / 1e9, rebuildNanos / 1e9);
    }

    /** A new model with the plan's graph and the kept channels' weights from {@code stateDict}. */
    public static YoloModel build(PrunePlan plan, Map<String, Tensor> stateDict, Device device) {
        Map<String, Tensor> weights = WeightTransfer.transfer(plan.spaces(), plan.kept(), stateDict);
        YoloModel pruned = YoloModel.create(plan.pruned(), 0, device);
        StateDictCheck check = StateDictCheck.compare(pruned.stateShapes(), weights);
        if (!check.ok()) {
            pruned.close();
            throw new IllegalStateException("pruned weights do not fit the pruned graph: " + check.describe());
        }
        pruned.loadStateDict(weights);
        return pruned;
    }

    private static int[] widths(ChannelSpaces cs, Map<String, Integer> byName) {
        int[] w = new int[cs.spaces().size()];
        for (Space s : cs.spaces()) w[s.id()] = byName.getOrDefault(s.name(), s.width());
        return w;
    }

    /** The ratio found for a target, and a note when the target cannot be reached. */
    record Target(double ratio, String note) {}

    /** Smallest ratio whose pruned graph is within the GFLOPs/params target (both are monotone in the ratio). */
    static Target searchRatio(Ranking ranking, PruneConfig config) {
        boolean flops = config.targetGflops() != null;
        double goal = flops ? config.targetGflops() : config.targetParams();
        ModelGraph g = ranking.spaces().graph();
        double base = metric(g, flops, config.imgsz());
        if (metric(ranking.plan(0).pruned(), flops, config.imgsz()) <= goal * base) return new Target(0, null);
        double hiValue = metric(ranking.plan(MAX_RATIO).pruned(), flops, config.imgsz()) / base;
        if (hiValue > goal) {
            return new Target(MAX_RATIO, String.format("target %s %.3f not reachable with these guards; smallest is %.3f",
                    flops ? "GFLOPs" : "params", goal, hiValue));
        }
        double lo = 0;
        double hi = MAX_RATIO;
        for (int i = 0; i < 30 && hi - lo > 1e-5; i++) {
            double mid = (lo + hi) / 2;
            if (metric(ranking.plan(mid).pruned(), flops, config.imgsz()) <= goal * base) hi = mid;
            else lo = mid;
        }
        return new Target(hi, null);
    }

    private static double metric(ModelGraph g, boolean flops, int imgsz) {
        return flops ? g.gflops(imgsz) : g.parameterCount();
    }
}
