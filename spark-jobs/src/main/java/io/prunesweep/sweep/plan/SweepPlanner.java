package io.prunesweep.sweep.plan;

import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageSettings;
import io.prunesweep.sweep.config.SweepConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands a sweep into its stage plan: dense per seed, sparse per (seed, lambda > 0),
 * prune+finetune per (seed, lambda, method, ratio). Output layout: {@code
 * <output>/stages/<dense|sparse|points>/<id>/}.
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
        List<StageTask> scans = new ArrayList<>();
        for (long seed : c.seeds()) {
            StageSettings ds =
                    StageSettings.dense(
                            m.yaml(),
                            m.scale(),
                            m.checkpoint(),
                            d.dataset(),
                            d.imgsz(),
                            d.batch(),
                            c.epochs().dense(),
                            seed,
                            c.train());
            // Hyperparameters change every stage's output; the default (empty) keeps ids of earlier
            // sweeps.
            String denseId =
                    c.train().isEmpty()
                            ? PointIds.of(
                                    "d-",
                                    "dense",
                                    ds.modelYaml(),
                                    ds.scale(),
                                    ds.initialCheckpoint(),
                                    ds.dataset(),
                                    ds.imgsz(),
                                    ds.batch(),
                                    ds.epochs(),
                                    seed)
                            : PointIds.of(
                                    "d-",
                                    "dense",
                                    ds.modelYaml(),
                                    ds.scale(),
                                    ds.initialCheckpoint(),
                                    ds.dataset(),
                                    ds.imgsz(),
                                    ds.batch(),
                                    ds.epochs(),
                                    seed,
                                    ds.train().toString());
            dense.add(
                    new StageTask(
                            StageKind.DENSE, denseId, ds, null, join(root, "dense/" + denseId)));
            for (double lambda : c.sparse().lambdas()) {
                String sparseId = null;
                if (lambda > 0) {
                    StageSettings ss = ds.sparse(c.epochs().sparse(), lambda);
                    sparseId = PointIds.of("s-", "sparse", denseId, lambda, ss.epochs());
                    sparse.putIfAbsent(
                            sparseId,
                            new StageTask(
                                    StageKind.SPARSE,
                                    sparseId,
                                    ss,
                                    denseId,
                                    join(root, "sparse/" + sparseId)));
                }
                String inputId = sparseId != null ? sparseId : denseId;
                if (c.isSensitivity()) {
                    scans.addAll(SensitivityPlanner.tasks(c, ds, lambda, inputId, root));
                    continue;
                }
                for (boolean reconstruct : p.reconstruct()) {
                    for (String method : p.methods()) {
                        // reconstruction re-fits convs that lost input channels: unstructured
                        // pruning removes none
                        if (reconstruct && UNSTRUCTURED.equals(method)) {
                            continue;
                        }
                        for (double ratio : p.ratios()) {
                            points.add(
                                    point(
                                            c,
                                            dense.get(dense.size() - 1),
                                            lambda,
                                            sparseId,
                                            method,
                                            ratio,
                                            finetuneEpochs(c),
                                            reconstruct));
                        }
                    }
                }
            }
        }
        return new SweepPlan(
                c.sweep().id(), c.output(), dense, new ArrayList<>(sparse.values()), points, scans);
    }

    /**
     * Round 0's finetune epochs: the short budget of a halving search, else {@code
     * epochs.finetune}.
     */
    static int finetuneEpochs(SweepConfig c) {
        SweepConfig.Search s = c.search();
        if (s != null && SweepConfig.Search.HALVING.equals(s.mode())) {
            return io.prunesweep.sweep.search.Halving.firstEpochs(
                    c.epochs().finetune(), s.eta(), s.rounds(), s.epochs());
        }
        return c.epochs().finetune();
    }

    /**
     * The grid point (seed of {@code dense}, lambda, method, ratio) finetuned for {@code epochs},
     * starting from its sparse stage {@code sparseId} (null when lambda is 0) or the dense one; an
     * adaptive search adds points this way.
     */
    public static GridPoint point(
            SweepConfig c,
            StageTask dense,
            double lambda,
            String sparseId,
            String method,
            double ratio,
            int epochs) {
        return point(c, dense, lambda, sparseId, method, ratio, epochs, false);
    }

    /**
     * The same, with feature-map reconstruction between pruning and finetuning when {@code
     * reconstruct}.
     */
    public static GridPoint point(
            SweepConfig c,
            StageTask dense,
            double lambda,
            String sparseId,
            String method,
            double ratio,
            int epochs,
            boolean reconstruct) {
        SweepConfig.Prune p = c.prune();
        String root = join(c.output(), "stages");
        String inputId = sparseId != null ? sparseId : dense.id();
        StageSettings ps =
                dense.settings()
                        .point(
                                epochs,
                                lambda,
                                method,
                                ratio,
                                p.scope(),
                                p.minChannels(),
                                p.roundTo());
        // overrides and reconstruction shape the output; without them the id is the one earlier
        // sweeps used
        List<Object> parts =
                new ArrayList<>(
                        List.of(
                                "point",
                                inputId,
                                method,
                                ratio,
                                p.scope(),
                                p.minChannels(),
                                p.roundTo(),
                                ps.epochs()));
        if (!p.overrides().isEmpty()) {
            parts.add("overrides");
            parts.add(p.overrides().toString());
        }
        if (reconstruct) {
            parts.add("reconstruct");
        }
        String pointId = PointIds.of("p-", parts.toArray());
        ps = ps.with(p.overrides(), List.of()).withReconstruct(reconstruct);
        StageTask t =
                new StageTask(
                        StageKind.PRUNE_FINETUNE,
                        pointId,
                        ps,
                        inputId,
                        join(root, "points/" + pointId));
        return new GridPoint(
                dense.settings().seed(), lambda, method, ratio, dense.id(), sparseId, t);
    }

    static String join(String dir, String child) {
        return io.prunesweep.io.FileSystems.child(dir, child);
    }
}
