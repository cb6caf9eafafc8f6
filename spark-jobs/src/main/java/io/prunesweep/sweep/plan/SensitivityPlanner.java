package io.prunesweep.sweep.plan;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.pipeline.ScanItem;
import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageSettings;
import io.prunesweep.prune.Scope;
import io.prunesweep.prune.SpaceUnits;
import io.prunesweep.sweep.config.SweepConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The stage runs of a sensitivity scan of one (seed, lambda) model: every scanned unit x every
 * ratio, per method, cut into batches of {@code sensitivity.points_per_task} items (one child JVM
 * each). Items are ordered unit-major, so a batch validates neighbouring ratios of the same few
 * spaces; the batch id hashes its items, so a re-run finds the same directories.
 */
public final class SensitivityPlanner {
    private SensitivityPlanner() {}

    static List<StageTask> tasks(
            SweepConfig c, StageSettings dense, double lambda, String inputId, String root) {
        SweepConfig.Prune p = c.prune();
        List<ScanItem> items = new ArrayList<>();
        for (String unit : units(c)) {
            for (double ratio : p.ratios()) {
                items.add(new ScanItem(unit, ratio));
            }
        }
        int per = Math.max(1, c.sensitivity().pointsPerTask());
        List<StageTask> tasks = new ArrayList<>();
        for (String method : p.methods()) {
            for (int from = 0; from < items.size(); from += per) {
                List<ScanItem> batch = items.subList(from, Math.min(items.size(), from + per));
                StageSettings s =
                        dense.point(
                                        0,
                                        lambda,
                                        method,
                                        0,
                                        Scope.LOCAL.id(),
                                        p.minChannels(),
                                        p.roundTo())
                                .with(java.util.Map.of(), batch);
                String id =
                        PointIds.of(
                                "v-",
                                "sensitivity",
                                inputId,
                                method,
                                p.minChannels(),
                                p.roundTo(),
                                batch.toString());
                tasks.add(
                        new StageTask(
                                StageKind.SENSITIVITY,
                                id,
                                s,
                                inputId,
                                SweepPlanner.join(root, "sensitivity/" + id)));
            }
        }
        return tasks;
    }

    /**
     * The unit names to scan: those of {@code sensitivity.spaces} (names or layer indices), else
     * every unit.
     */
    static List<String> units(SweepConfig c) {
        ChannelSpaces cs =
                ChannelSpaces.of(
                        GraphBuilder.build(
                                ModelDefinition.resolve(c.model().yaml()),
                                c.model().scale(),
                                null));
        List<SpaceUnits.Unit> all = SpaceUnits.of(cs);
        List<String> wanted = c.sensitivity().spaces();
        if (wanted.isEmpty()) {
            return all.stream().map(SpaceUnits.Unit::name).toList();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String w : wanted) {
            if (w.matches("\\d+")) {
                int layer = Integer.parseInt(w);
                all.stream()
                        .filter(u -> cs.byName(u.name()).ownerLayer() == layer)
                        .forEach(u -> out.add(u.name()));
            } else {
                out.add(SpaceUnits.find(cs, w).name());
            }
        }
        return List.copyOf(out);
    }
}
