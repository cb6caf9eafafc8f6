package io.prunesweep.sweep.config;

import io.prunesweep.InputException;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.prune.Overrides;
import io.prunesweep.prune.SpaceUnits;
import java.util.List;
import java.util.function.Consumer;

/**
 * The checks of the keys that change what a sweep runs: {@code mode} (grid or sensitivity), {@code
 * sensitivity.*}, {@code search.*} and {@code prune.overrides}. One problem per line, like the rest
 * of the validator.
 */
final class ModeChecks {
    private ModeChecks() {}

    static void check(SweepConfig c, Consumer<String> problem) {
        if (!List.of(SweepConfig.GRID, SweepConfig.SENSITIVITY).contains(c.mode())) {
            problem.accept(
                    "mode='"
                            + c.mode()
                            + "' must be grid (finetune every point) or sensitivity (prune one "
                            + "channel space at a time, no finetune)");
        }
        ChannelSpaces spaces = spaces(c.model());
        checkOverrides(c.prune(), spaces, problem);
        checkSensitivity(c, spaces, problem);
        checkSearch(c, problem);
    }

    /**
     * The channel spaces of the model YAML, or null when there is none or it does not build
     * (reported elsewhere).
     */
    static ChannelSpaces spaces(SweepConfig.Model m) {
        if (m.yaml() == null) {
            return null;
        }
        try {
            return ChannelSpaces.of(
                    GraphBuilder.build(ModelDefinition.resolve(m.yaml()), m.scale(), null));
        } catch (InputException | IllegalArgumentException e) {
            return null;
        }
    }

    private static void checkOverrides(
            SweepConfig.Prune p, ChannelSpaces spaces, Consumer<String> problem) {
        if (p.overrides().isEmpty()) {
            return;
        }
        try {
            Overrides o = Overrides.of(p.overrides(), "prune.overrides");
            if (spaces != null) {
                o.resolve(spaces);
            }
        } catch (InputException e) {
            problem.accept(e.getMessage());
        }
    }

    private static void checkSensitivity(
            SweepConfig c, ChannelSpaces spaces, Consumer<String> problem) {
        SweepConfig.Sensitivity s = c.sensitivity();
        if (s.pointsPerTask() < 1) {
            problem.accept(
                    "sensitivity.points_per_task=" + s.pointsPerTask() + " must be at least 1");
        }
        for (int i = 0; i < s.tolerances().size(); i++) {
            double t = s.tolerances().get(i);
            if (!(t > 0 && t < 1)) {
                problem.accept(
                        "sensitivity.tolerances["
                                + i
                                + "]="
                                + t
                                + " must be an mAP50-95 drop in (0, 1), e.g. 0.01");
            }
        }
        if (!c.isSensitivity()) {
            return;
        }
        if (c.model().yaml() == null) {
            problem.accept(
                    "mode: sensitivity needs model.yaml (with scale) to list the channel spaces to scan");
        }
        if (s.tolerances().isEmpty()) {
            problem.accept(
                    "sensitivity.tolerances is empty; give at least one mAP50-95 drop, e.g. [0.01]");
        }
        List<Double> ratios = c.prune().ratios();
        for (int i = 0; ratios != null && i < ratios.size(); i++) {
            if (ratios.get(i) <= 0) {
                problem.accept(
                        "prune.ratios["
                                + i
                                + "]="
                                + ratios.get(i)
                                + " prunes nothing in a sensitivity scan; "
                                + "use ratios above 0, e.g. [0.1, 0.2, ..., 0.9]");
            }
        }
        if (!c.prune().overrides().isEmpty()) {
            problem.accept(
                    "prune.overrides does not apply to mode: sensitivity (each point prunes one space); remove it");
        }
        if (spaces != null) {
            for (int i = 0; i < s.spaces().size(); i++) {
                String name = s.spaces().get(i);
                try {
                    if (name.matches("\\d+")) {
                        int layer = Integer.parseInt(name);
                        if (spaces.prunable().stream().noneMatch(x -> x.ownerLayer() == layer)) {
                            throw new InputException(
                                    "layer " + layer + " owns no prunable channel space");
                        }
                    } else {
                        SpaceUnits.find(spaces, name);
                    }
                } catch (InputException e) {
                    problem.accept("sensitivity.spaces[" + i + "]: " + e.getMessage());
                }
            }
        }
    }

    private static void checkSearch(SweepConfig c, Consumer<String> problem) {
        SweepConfig.Search s = c.search();
        if (s == null || s.mode() == null) {
            return;
        }
        if (!List.of(SweepConfig.Search.KNEE, SweepConfig.Search.HALVING).contains(s.mode())) {
            problem.accept(
                    "search.mode='"
                            + s.mode()
                            + "' must be knee (refine the ratio grid around the knee) or "
                            + "halving (successive halving over the (method, lambda) series), or none");
            return;
        }
        if (c.isSensitivity()) {
            problem.accept(
                    "search: applies to mode: grid, not to a sensitivity scan; remove the search section");
        }
        if (s.rounds() < 1) {
            problem.accept("search.rounds=" + s.rounds() + " must be at least 1");
        }
        if (s.mode().equals(SweepConfig.Search.KNEE)) {
            if (!(s.tolerance() > 0 && s.tolerance() < 1)) {
                problem.accept(
                        "search.tolerance="
                                + s.tolerance()
                                + " must be an mAP50-95 drop in (0, 1), e.g. 0.01");
            }
            if (!(s.width() > 0 && s.width() < 1)) {
                problem.accept(
                        "search.width="
                                + s.width()
                                + " must be a ratio bracket width in (0, 1), e.g. 0.05");
            }
        } else {
            if (s.eta() < 2) {
                problem.accept(
                        "search.eta="
                                + s.eta()
                                + " must be at least 2 (keep the best 1/eta series)");
            }
            if (s.epochs() < 0) {
                problem.accept("search.epochs=" + s.epochs() + " must be 0 (derived) or more");
            }
            if (c.epochs().finetune() < 1) {
                problem.accept(
                        "search.mode: halving needs epochs.finetune of at least 1 (the full budget)");
            }
            int series = size(c.seeds()) * size(c.sparse().lambdas()) * size(c.prune().methods());
            if (series < 2) {
                problem.accept(
                        "search.mode: halving needs at least 2 (method, lambda) series to choose from; "
                                + "give more prune.methods or sparse.lambdas");
            }
        }
    }

    private static int size(List<?> l) {
        return l == null ? 0 : l.size();
    }
}
