package io.prunesweep.pipeline;

import io.prunesweep.data.DatasetSplits;
import io.prunesweep.io.Checkpoint;
import io.prunesweep.io.FileSystems;
import io.prunesweep.model.YoloModel;
import io.prunesweep.train.EpochMetrics;
import io.prunesweep.train.TrainConfig;
import io.prunesweep.train.TrainListener;
import io.prunesweep.train.Trainer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One training phase of a stage (dense, sparse or finetune) in its own folder under the stage's
 * output. If the folder holds the {@code last} checkpoint of an interrupted attempt, the run
 * continues from it (the sweep's resume), and if that checkpoint already covers every epoch,
 * training is not repeated.
 */
final class StageTraining {
    private StageTraining() {}

    /** Which of the run's checkpoints the next step starts from. */
    enum Keep {
        /** The best epoch by fitness (ultralytics' best.pt), or the last when there is none. */
        BEST,
        /** The final epoch (what Network Slimming prunes after sparse training). */
        LAST
    }

    /**
     * @param checkpoint the weights the next step uses; @param epochs the whole curve, resumed
     *     epochs included
     */
    record Outcome(
            String checkpoint,
            String last,
            String best,
            List<EpochRow> epochs,
            double seconds,
            int nanRecoveries) {
        /** The replays of non-finite losses, as a stage metric. */
        Map<String, Double> recoveryMetrics() {
            return Map.of(MetricKeys.NAN_RECOVERIES, (double) nanRecoveries);
        }
    }

    static Outcome run(
            String phase,
            TrainConfig cfg,
            DatasetSplits data,
            String dir,
            Set<String> sparseGammas,
            YoloModel start,
            Keep keep,
            ProgressListener progress) {
        return run(phase, cfg, data, dir, sparseGammas, start, keep, false, progress);
    }

    /**
     * @param weightMasks keep the start's zero conv weights at 0 (unstructured pruning)
     */
    static Outcome run(
            String phase,
            TrainConfig cfg,
            DatasetSplits data,
            String dir,
            Set<String> sparseGammas,
            YoloModel start,
            Keep keep,
            boolean weightMasks,
            ProgressListener progress) {
        long t0 = System.nanoTime();
        Trainer trainer =
                new Trainer(cfg, data.train(), data.val(), dir, new Forward(phase, progress))
                        .withWeightMasks(weightMasks);
        if (sparseGammas != null) {
            trainer.withSparseGammas(sparseGammas::contains);
        }
        String last = trainer.lastUri();
        int recoveries = 0;
        if (FileSystems.exists(last)) {
            int done = completedEpochs(last);
            if (done < cfg.epochs()) {
                progress.onProgress(
                        new Progress(
                                phase,
                                done,
                                cfg.epochs(),
                                0,
                                0,
                                null,
                                "resuming "
                                        + phase
                                        + " from epoch "
                                        + done
                                        + " of "
                                        + cfg.epochs()));
                recoveries = trainer.resume(last).nanRecoveries();
            }
        } else {
            recoveries = trainer.fit(start).nanRecoveries();
        }
        String best = trainer.bestUri();
        String use = keep == Keep.BEST && FileSystems.exists(best) ? best : last;
        return new Outcome(
                use,
                last,
                best,
                readCurve(phase, dir + "/results.csv"),
                (System.nanoTime() - t0) / 1e9,
                recoveries);
    }

    /** Epochs a {@code last} checkpoint has finished ({@code train.epoch} is 0-based). */
    static int completedEpochs(String lastUri) {
        return io.prunesweep.train.TrainState.completedEpochs(Checkpoint.metadata(lastUri));
    }

    /**
     * The run's results.csv as epoch rows; column names are the {@link MetricKeys} names where they
     * exist.
     */
    static List<EpochRow> readCurve(String phase, String csvUri) {
        List<EpochRow> rows = new ArrayList<>();
        if (!FileSystems.exists(csvUri)) {
            return rows;
        }
        String text;
        try (InputStream in = FileSystems.open(csvUri)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return rows;
        }
        String[] lines = text.split("\\R");
        if (lines.length < 2) {
            return rows;
        }
        String[] header = lines[0].split(",");
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] cells = lines[i].split(",");
            Map<String, Double> values = new LinkedHashMap<>();
            int epoch = -1;
            for (int c = 0; c < Math.min(header.length, cells.length); c++) {
                String name = header[c].strip();
                double v;
                try {
                    v = Double.parseDouble(cells[c].strip());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (name.equals("epoch")) {
                    epoch = (int) v;
                } else {
                    values.put(name.equals("images_per_s") ? "images_per_second" : name, v);
                }
            }
            if (epoch >= 0) {
                rows.add(new EpochRow(phase, epoch, values));
            }
        }
        return rows;
    }

    /** Training progress as stage progress lines (the sweep's console and Spark UI show them). */
    private static final class Forward implements TrainListener {
        private static final long REPORT_EVERY_NANOS = 5_000_000_000L;
        private final String phase;
        private final ProgressListener progress;
        private int epochs;
        private long lastReport;

        Forward(String phase, ProgressListener progress) {
            this.phase = phase;
            this.progress = progress;
        }

        @Override
        public void onStart(int startEpoch, int epochs, int batchesPerEpoch, String summary) {
            this.epochs = epochs;
            progress.onProgress(
                    new Progress(phase, startEpoch, epochs, 0, batchesPerEpoch, null, summary));
        }

        @Override
        public void onBatch(
                int epoch, int batch, int batches, double box, double cls, double dfl, double ips) {
            long now = System.nanoTime();
            if (batch + 1 < batches && now - lastReport < REPORT_EVERY_NANOS) {
                return; // a line per few seconds, not per batch
            }
            lastReport = now;
            progress.onProgress(
                    new Progress(
                            phase,
                            epoch,
                            epochs,
                            batch + 1,
                            batches,
                            Map.of(
                                    MetricKeys.BOX_LOSS,
                                    box,
                                    MetricKeys.CLS_LOSS,
                                    cls,
                                    MetricKeys.DFL_LOSS,
                                    dfl,
                                    "images_per_second",
                                    ips),
                            null));
        }

        @Override
        public void onEpoch(EpochMetrics m) {
            progress.onProgress(
                    new Progress(
                            phase,
                            m.epoch(),
                            epochs,
                            1,
                            1,
                            Map.of(MetricKeys.MAP50, m.map50(), MetricKeys.MAP50_95, m.map50_95()),
                            null));
        }
    }
}
