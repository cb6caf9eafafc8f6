package io.prunesweep.prune;

import ai.djl.Device;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.io.SafeTensors.Tensor;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.StateDictCheck;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.unstructured.MagnitudePruner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Structured channel pruning of any graph the builder makes: rank ({@link Ranking}), select ({@link
 * ChannelSelector}), rebuild the graph ({@link GraphRebuild}) and copy the kept weights ({@link
 * WeightTransfer}) into a new, physically smaller {@link YoloModel}.
 */
public final class Pruner {
    /** Largest ratio the target search tries (ratios are in [0, 1)). */
    public static final double MAX_RATIO = 0.999;

    private Pruner() {}

    /**
     * Called after each step of iterative pruning with the pruned model; returns the model the next
     * step prunes (e.g. after a short finetune). If it returns another model it must close {@code
     * pruned} itself.
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
     * Prunes {@code model} (left open and unchanged) and returns a new model; the caller closes
     * both. With {@code steps = k} the cumulative ratio grows linearly {@code r/k, 2r/k, ..., r},
     * always relative to the original widths, and {@code hook} runs after every step.
     */
    public static PruneResult prune(YoloModel model, PruneConfig config, StepHook hook) {
        config.validate();
        if (config.method() == Method.UNSTRUCTURED) {
            return MagnitudePruner.prune(model, config);
        }
        long t0 = System.nanoTime();
        Map<String, Tensor> sd = model.stateDict();
        Ranking first = Ranking.of(model.graph(), sd, config);
        Map<String, Integer> originalWidths = new HashMap<>();
        for (Space s : first.spaces().spaces()) {
            originalWidths.put(s.name(), s.width());
        }
        boolean byTarget = config.ratio() == null;
        double base = byTarget ? metric(model.graph(), config) : 0;
        double goal =
                byTarget
                        ? (config.targetGflops() != null
                                ? config.targetGflops()
                                : config.targetParams())
                        : 0;
        long rankNanos = 0;
        long rebuildNanos = 0;
        List<PrunePlan> plans = new ArrayList<>();
        Target target = null;
        YoloModel current = model;
        Ranking ranking = first;
        for (int step = 1; step <= config.steps(); step++) {
            if (step > 1) {
                t0 = System.nanoTime();
                sd = current.stateDict();
                ranking = Ranking.of(current.graph(), sd, config);
            }
            int[] widths = step == 1 ? null : widths(ranking.spaces(), originalWidths);
            double fraction = (double) step / config.steps();
            // a ratio schedule grows linearly; a target schedule shrinks the metric linearly
            // towards the goal
            target =
                    byTarget
                            ? searchRatio(
                                    ranking,
                                    widths,
                                    config,
                                    base * (1 - (1 - goal) * fraction),
                                    goal)
                            : new Target(config.ratio() * fraction, null);
            PrunePlan plan = ranking.plan(target.ratio(), widths);
            long t2 = System.nanoTime();
            YoloModel next = build(plan, sd, model.device());
            long t3 = System.nanoTime();
            rankNanos += t2 - t0;
            rebuildNanos += t3 - t2;
            plans.add(plan);
            if (current != model) {
                current.close();
            }
            current = hook.afterStep(step, config.steps(), next);
        }
        return new PruneResult(
                current,
                model.graph(),
                current.graph(),
                config,
                target.ratio(),
                target.note(),
                plans,
                first.spaces().notes(),
                rankNanos / 1e9,
                rebuildNanos / 1e9);
    }

    /** A new model with the plan's graph and the kept channels' weights from {@code stateDict}. */
    public static YoloModel build(PrunePlan plan, Map<String, Tensor> stateDict, Device device) {
        Map<String, Tensor> weights =
                WeightTransfer.transfer(plan.spaces(), plan.kept(), stateDict);
        YoloModel pruned = YoloModel.create(plan.pruned(), 0, device);
        StateDictCheck check = StateDictCheck.compare(pruned.stateShapes(), weights);
        if (!check.ok()) {
            pruned.close();
            throw new IllegalStateException(
                    "pruned weights do not fit the pruned graph: " + check.describe());
        }
        pruned.loadStateDict(weights);
        return pruned;
    }

    private static int[] widths(ChannelSpaces cs, Map<String, Integer> byName) {
        int[] w = new int[cs.spaces().size()];
        for (Space s : cs.spaces()) {
            w[s.id()] = byName.getOrDefault(s.name(), s.width());
        }
        return w;
    }

    /** The ratio found for a target, and a note when the target cannot be reached. */
    record Target(double ratio, String note) {}

    /**
     * Smallest ratio whose pruned graph is within {@code limit} GFLOPs/params (both are monotone in
     * the ratio); ratios are relative to {@code originalWidths} as in {@link Ranking#plan(double,
     * int[])}.
     */
    static Target searchRatio(
            Ranking ranking, int[] originalWidths, PruneConfig config, double limit, double goal) {
        if (metric(ranking.plan(0, originalWidths).pruned(), config) <= limit) {
            return new Target(0, null);
        }
        double atMax = metric(ranking.plan(MAX_RATIO, originalWidths).pruned(), config);
        if (atMax > limit) {
            return new Target(
                    MAX_RATIO,
                    String.format(
                            java.util.Locale.ROOT,
                            "target %s %.3f not reachable with these guards; pruned as far as they allow (%.0f%% of the limit)",
                            config.targetGflops() != null ? "GFLOPs" : "params",
                            goal,
                            100 * atMax / limit));
        }
        double lo = 0;
        double hi = MAX_RATIO;
        for (int i = 0; i < 30 && hi - lo > 1e-5; i++) {
            double mid = (lo + hi) / 2;
            if (metric(ranking.plan(mid, originalWidths).pruned(), config) <= limit) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return new Target(hi, null);
    }

    private static double metric(ModelGraph g, PruneConfig config) {
        return config.targetGflops() != null ? g.gflops(config.imgsz()) : g.parameterCount();
    }
}
