package io.prunesweep.pipeline;

import io.prunesweep.data.DatasetSplits;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.model.Devices;
import io.prunesweep.model.YoloModel;
import io.prunesweep.prune.Method;
import io.prunesweep.prune.PruneConfig;
import io.prunesweep.prune.PruneResult;
import io.prunesweep.prune.Pruner;
import io.prunesweep.prune.Scope;
import io.prunesweep.prune.SpaceUnits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link StageKind#SENSITIVITY} stage: for each {@link ScanItem} of the request, prune that one
 * unit of the input model (every other space intact: local scope at ratio 0 plus an override for
 * the unit), validate without finetuning, and record a {@link SensitivityRow}. The model, its
 * channel spaces and the val data are loaded once for all items, which is what makes a scan cheap:
 * an item costs one prune and one validation.
 */
final class SensitivityScan {
    private SensitivityScan() {}

    static StageResult run(
            StageRequest req, DatasetSplits data, int workers, ProgressListener progress)
            throws java.io.IOException {
        StageSettings s = req.settings();
        String input = EngineStageExecutor.input(req);
        Map<String, Double> before = new LinkedHashMap<>();
        Map<String, Double> durations = new LinkedHashMap<>();
        List<SensitivityRow> rows = new ArrayList<>();
        try (YoloModel model = Checkpoint.load(input, null, Devices.current())) {
            EngineStageExecutor.checkClasses(model.graph(), data);
            before.putAll(EngineStageExecutor.storedMetrics(input));
            if (!before.containsKey(MetricKeys.MAP50_95)) {
                progress.onProgress(
                        new Progress("eval", -1, 0, 0, 0, null, "validating the input model"));
                before.putAll(
                        ModelMeasurements.accuracy(
                                model, data.val(), s.imgsz(), s.batch(), workers));
            }
            before.putAll(ModelMeasurements.size(model, s.imgsz()));
            ChannelSpaces cs = ChannelSpaces.of(model.graph());
            long scanStart = System.nanoTime();
            int n = s.scan().size();
            for (int i = 0; i < n; i++) {
                ScanItem item = s.scan().get(i);
                progress.onProgress(
                        new Progress(
                                "scan",
                                -1,
                                0,
                                i,
                                n,
                                null,
                                String.format(
                                        Locale.ROOT, "%s ratio %.3f", item.space(), item.ratio())));
                rows.add(item(model, cs, item, s, data, workers));
            }
            durations.put("scan", (System.nanoTime() - scanStart) / 1e9);
        }
        String rowsUri = StageFiles.child(req.outputDir(), SensitivityRow.FILE);
        StageFiles.writeAtomically(
                rowsUri, StageJson.writePretty(rows), StageFiles.conf(req.fsConf()));
        Map<String, Double> metrics =
                new LinkedHashMap<>(ModelMeasurements.prefixed("before.", before));
        metrics.put("scan.items", (double) rows.size());
        return StageResult.ok(
                req.kind(),
                req.pointId(),
                metrics,
                Map.of(SensitivityRow.FILE, rowsUri),
                List.of(),
                durations);
    }

    private static SensitivityRow item(
            YoloModel model,
            ChannelSpaces cs,
            ScanItem item,
            StageSettings s,
            DatasetSplits data,
            int workers) {
        long t0 = System.nanoTime();
        SpaceUnits.Unit unit = SpaceUnits.find(cs, item.space());
        PruneConfig config =
                new PruneConfig(
                        Method.parse(s.method()),
                        Scope.LOCAL,
                        0.0,
                        null,
                        null,
                        Math.max(1, s.minChannels()),
                        Math.max(1, s.roundTo()),
                        unit.overrides(item.ratio(), "scan"),
                        1,
                        s.seed(),
                        true,
                        s.imgsz());
        PruneResult pr = Pruner.prune(model, config);
        try (YoloModel pruned = pr.model()) {
            int kept = pr.plans().get(0).kept()[cs.byName(unit.name()).id()].length;
            Map<String, Double> size = ModelMeasurements.size(pruned, s.imgsz());
            Map<String, Double> acc =
                    ModelMeasurements.accuracy(pruned, data.val(), s.imgsz(), s.batch(), workers);
            return new SensitivityRow(
                    unit.name(),
                    unit.members(),
                    unit.layers(),
                    unit.channels(),
                    kept,
                    item.ratio(),
                    acc.get(MetricKeys.MAP50),
                    acc.get(MetricKeys.MAP50_95),
                    size.get(MetricKeys.PARAMS),
                    size.get(MetricKeys.GFLOPS),
                    (System.nanoTime() - t0) / 1e9);
        }
    }
}
