package io.prunesweep.sweep.plan;

import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageSettings;
import io.prunesweep.sweep.config.SweepConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands a sweep into its stage plan: dense per seed, sparse per (seed, lambda > 0), prune+finetune per
 * (seed, lambda, method, ratio). Output layout: {@code <output>/stages/<dense|sparse|points>/<id>/}.
 */
public final class SweepPlanner {
    private static final String UNSTRUCTURED = io.prunesweep.prune.Method.UNSTRUCTURED.id();

    private SweepPlanner() {}

    public static SweepPlan plan(SweepConfig c) {
        SweepConfig.Model m = c.model();
        SweepConfig.Data d = c.data();
        SweepConfig.Prune p = c.prune();
        String root = join(c.output(), "stages");
        List<StageTask> dense = new ArrayList<>();
        Map<String, StageTask> sparse = new LinkedHashMap<>();
        List<GridPoint> points = new ArrayList<>();
        for (long seed : c.seeds()) {
            StageSettings ds = StageSettings.dense(m.yaml(), m.scale(), m.checkpoint(), d.dataset(), d.imgsz(),
                    d.batch(), c.epochs().dense(), seed, c.train());
            // Hyperparameters change every stage's output; the default (empty) keeps ids of earlier sweeps.
            String denseId = c.train().isEmpty()
                    ? PointIds.of("d-", "dense", ds.modelYaml(), ds.scale(), ds.initialCheckpoint(), ds.dataset(),
                            ds.imgsz(), ds.batch(), ds.epochs(), seed)
                    : PointIds.of("d-", "dense", ds.modelYaml(), ds.scale(), ds.initialCheckpoint(), ds.dataset(),
                            ds.imgsz(), ds.batch(), ds.epochs(), seed, ds.train().toString());
            dense.add(new StageTask(StageKind.DENSE, denseId, ds, null, join(root, "dense/" + denseId)));
            for (double lambda : c.sparse().lambdas()) {
                String sparseId = null;
                if (lambda > 0) {
                    StageSettings ss = ds.sparse(c.epochs().sparse(), lambda);
                    sparseId = PointIds.of("s-", "sparse", denseId, lambda, ss.epochs());
                    sparse.putIfAbsent(sparseId, new StageTask(StageKind.SPARSE, sparseId, ss, denseId,
                            join(root, "sparse/" + sparseId)));
                }
                String inputId = sparseId != null ? sparseId : denseId;
                for (boolean reconstruct : p.reconstruct()) {
                    for (String method : p.methods()) {
                        // reconstruction re-fits convs that lost input channels: unstructured pruning removes none
                        if (reconstruct && UNSTRUCTURED.equals(method)) continue;
                        for (double ratio : p.ratios()) {
                            StageSettings ps = ds.point(c.epochs().finetune(), lambda, method, ratio, p.scope(),
                                    p.minChannels(), p.roundTo()).withReconstruct(reconstruct);
                            // without reconstruction the id is what it always was, so earlier sweeps' points are found
                            String pointId = reconstruct
                                    ? PointIds.of("p-", "point", inputId, method, ratio, p.scope(), p.minChannels(),
                                            p.roundTo(), ps.epochs(), "reconstruct")
                                    : PointIds.of("p-", "point", inputId, method, ratio, p.scope(), p.minChannels(),
                                            p.roundTo(), ps.epochs());
                            StageTask t = new StageTask(StageKind.PRUNE_FINETUNE, pointId, ps, inputId,
                                    join(root, "points/" + pointId));
                            points.add(new GridPoint(seed, lambda, method, ratio, denseId, sparseId, t));
                        }
                    }
                }
            }
        }
        return new SweepPlan(c.sweep().id(), c.output(), dense, new ArrayList<>(sparse.values()), points);
    }

    static String join(String dir, String child) {
        return io.prunesweep.io.FileSystems.child(dir, child);
    }
}
