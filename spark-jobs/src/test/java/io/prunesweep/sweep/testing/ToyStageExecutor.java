package io.prunesweep.sweep.testing;

import io.prunesweep.pipeline.EpochRow;
import io.prunesweep.pipeline.MetricKeys;
import io.prunesweep.pipeline.Progress;
import io.prunesweep.pipeline.ProgressListener;
import io.prunesweep.pipeline.StageExecutor;
import io.prunesweep.pipeline.StageFiles;
import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageRequest;
import io.prunesweep.pipeline.StageResult;
import io.prunesweep.pipeline.StageSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;

/**
 * A test-only stage executor that does the real thing in miniature: a linear model with 32
 * "channels" trained by gradient descent on seeded synthetic data, an L1 penalty for the sparse
 * stage, channel pruning by |w| (bn, l1), w^2 (l2) or at random, finetuning, and metrics derived
 * from the validation error. Checkpoints are real files written through Hadoop (temp + rename).
 *
 * <p>Test hooks (JVM properties): {@code prunesweep.test.failRatio=R} throws at ratio R, {@code
 * prunesweep.test.crashRatio=R} halts the JVM at ratio R, {@code prunesweep.test.sleepMs=N} sleeps
 * per stage, {@code prunesweep.test.stderr=A|B} prints lines A and B to stderr. A {@code
 * coco:}/{@code voc:}/{@code kitti:} dataset is converted into {@code -Dprunesweep.dataCache} as
 * the engine's stages do it.
 */
public final class ToyStageExecutor implements StageExecutor {
    static final int CHANNELS = 32;
    static final int SAMPLES = 64;
    static final double LR = 0.05;

    @Override
    public StageResult run(StageRequest req, ProgressListener progress) throws Exception {
        StageSettings s = req.settings();
        Configuration conf = StageFiles.conf(req.fsConf());
        String stderr = System.getProperty("prunesweep.test.stderr");
        if (stderr != null) {
            for (String line : stderr.split("\\|")) {
                System.err.println(line);
            }
        }
        long sleep = Long.getLong("prunesweep.test.sleepMs", 0);
        if (sleep > 0) {
            Thread.sleep(sleep);
        }
        if (io.prunesweep.data.convert.ConvertedDatasetSpec.isSpec(s.dataset())) {
            // a coco:/voc:/kitti: source is converted as the engine does it, once per machine, and
            // must load
            java.nio.file.Path yaml =
                    io.prunesweep.data.convert.ConvertedDatasetSpec.parse(s.dataset())
                            .materialize(
                                    io.prunesweep.data.SyntheticDatasetSpec.defaultCacheRoot(),
                                    System.err);
            io.prunesweep.data.DatasetConfig.load(yaml.toString(), conf);
        }
        double[][] x = new double[SAMPLES][CHANNELS];
        double[] y = new double[SAMPLES];
        data(s, x, y);
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, Double> durations = new LinkedHashMap<>();
        List<EpochRow> epochs = new ArrayList<>();
        double[] w;
        boolean[] active;
        long t0 = System.nanoTime();
        if (req.kind() == StageKind.DENSE) {
            Random r = new Random(s.seed());
            w = new double[CHANNELS];
            for (int i = 0; i < CHANNELS; i++) {
                w[i] = r.nextGaussian() * 0.1;
            }
            active = new boolean[CHANNELS];
            Arrays.fill(active, true);
            train("dense", w, active, x, y, s.epochs(), 0, epochs, progress);
            durations.put("train", secondsSince(t0));
        } else {
            String ckpt =
                    new String(StageFiles.read(req.inputs().get(0), conf), StandardCharsets.UTF_8);
            w =
                    Arrays.stream(ckpt.split("\n")[0].split(","))
                            .mapToDouble(Double::parseDouble)
                            .toArray();
            active = new boolean[CHANNELS];
            String[] mask = ckpt.split("\n")[1].split(",");
            for (int i = 0; i < CHANNELS; i++) {
                active[i] = mask[i].equals("1");
            }
            if (req.kind() == StageKind.SPARSE) {
                // lambda is scaled up so a few toy epochs visibly push weak channels towards zero
                train("sparse", w, active, x, y, s.epochs(), s.lambda() * 200, epochs, progress);
                durations.put("train", secondsSince(t0));
            } else {
                hooks(s.ratio());
                putMetrics(metrics, "before.", w, active, x, y);
                prune(s, w, active);
                durations.put("prune", secondsSince(t0));
                long t1 = System.nanoTime();
                train("finetune", w, active, x, y, s.epochs(), 0, epochs, progress);
                durations.put("finetune", secondsSince(t1));
            }
        }
        long te = System.nanoTime();
        putMetrics(metrics, "after.", w, active, x, y);
        durations.put("eval", secondsSince(te));
        String ckptUri = StageFiles.child(req.outputDir(), "checkpoint.txt");
        String text =
                Arrays.stream(w).mapToObj(Double::toString).collect(Collectors.joining(","))
                        + "\n"
                        + IntStream.range(0, CHANNELS)
                                .mapToObj(i -> active[i] ? "1" : "0")
                                .collect(Collectors.joining(","))
                        + "\n";
        StageFiles.writeAtomically(ckptUri, text, conf);
        String cuda = System.getenv("CUDA_VISIBLE_DEVICES");
        StageResult result =
                StageResult.ok(
                        req.kind(),
                        req.pointId(),
                        metrics,
                        Map.of(StageResult.CHECKPOINT, ckptUri),
                        epochs,
                        durations);
        return cuda == null ? result : result.withGpuName("toy-gpu CUDA_VISIBLE_DEVICES=" + cuda);
    }

    private static void hooks(double ratio) {
        String fail = System.getProperty("prunesweep.test.failRatio");
        if (fail != null && Double.parseDouble(fail) == ratio) {
            throw new IllegalStateException("injected failure at ratio " + ratio);
        }
        String crash = System.getProperty("prunesweep.test.crashRatio");
        if (crash != null && Double.parseDouble(crash) == ratio) {
            System.err.println("simulated native crash at ratio " + ratio);
            System.err.flush();
            Runtime.getRuntime().halt(134);
        }
    }

    /**
     * y = X w_true + noise, with only 12 of 32 channels carrying signal: pruning the rest is free.
     */
    static void data(StageSettings s, double[][] x, double[] y) {
        Random r = new Random(s.dataset().hashCode() * 31L + s.seed());
        double[] wTrue = new double[CHANNELS];
        for (int i = 0; i < 12; i++) {
            wTrue[i] = 1.0 + i * 0.1;
        }
        for (int n = 0; n < SAMPLES; n++) {
            double sum = 0;
            for (int c = 0; c < CHANNELS; c++) {
                x[n][c] = r.nextGaussian();
                sum += x[n][c] * wTrue[c];
            }
            y[n] = sum + r.nextGaussian() * 0.05;
        }
    }

    static void train(
            String phase,
            double[] w,
            boolean[] active,
            double[][] x,
            double[] y,
            int epochs,
            double l1,
            List<EpochRow> rows,
            ProgressListener progress) {
        for (int e = 0; e < epochs; e++) {
            long t = System.nanoTime();
            double[] grad = new double[CHANNELS];
            for (int step = 0; step < 20; step++) {
                Arrays.fill(grad, 0);
                for (int n = 0; n < SAMPLES; n++) {
                    double err = predict(w, active, x[n]) - y[n];
                    for (int c = 0; c < CHANNELS; c++) {
                        grad[c] += 2 * err * x[n][c] / SAMPLES;
                    }
                }
                for (int c = 0; c < CHANNELS; c++) {
                    if (active[c]) {
                        w[c] -= LR * (grad[c] + l1 * Math.signum(w[c]));
                    }
                }
            }
            double mse = mse(w, active, x, y);
            Map<String, Double> v =
                    Map.of(
                            MetricKeys.BOX_LOSS,
                            mse,
                            MetricKeys.LR,
                            LR,
                            MetricKeys.MAP50_95,
                            map(mse),
                            MetricKeys.SECONDS,
                            secondsSince(t),
                            "l1",
                            l1);
            rows.add(new EpochRow(phase, e, v));
            progress.onProgress(new Progress(phase, e, epochs, 20, 20, Map.of("loss", mse), null));
        }
    }

    static void prune(StageSettings s, double[] w, boolean[] active) {
        List<Integer> alive =
                IntStream.range(0, CHANNELS)
                        .filter(c -> active[c])
                        .boxed()
                        .collect(Collectors.toList());
        Random r = new Random(s.seed() * 7919 + 1);
        double[] score = new double[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            score[c] =
                    switch (s.method()) {
                        case "bn", "l1" -> Math.abs(w[c]);
                        case "l2" -> w[c] * w[c];
                        default -> r.nextDouble();
                    };
        }
        int keep = Math.max(s.minChannels(), (int) Math.round(alive.size() * (1 - s.ratio())));
        if (s.roundTo() > 1) {
            keep = Math.max(s.roundTo(), (keep + s.roundTo() / 2) / s.roundTo() * s.roundTo());
        }
        keep = Math.min(keep, alive.size());
        alive.sort(Comparator.comparingDouble((Integer c) -> score[c]).reversed());
        for (int i = keep; i < alive.size(); i++) {
            active[alive.get(i)] = false;
            w[alive.get(i)] = 0;
        }
    }

    static void putMetrics(
            Map<String, Double> m,
            String prefix,
            double[] w,
            boolean[] active,
            double[][] x,
            double[] y) {
        double mse = mse(w, active, x, y);
        double channels = 0;
        for (boolean a : active) {
            channels += a ? 1 : 0;
        }
        double params = channels * 1000;
        double latency = 0.5 + params / 1e4;
        m.put(prefix + MetricKeys.PARAMS, params);
        m.put(prefix + MetricKeys.GFLOPS, params * 2e-6);
        m.put(prefix + MetricKeys.MAP50_95, map(mse));
        m.put(prefix + MetricKeys.MAP50, Math.min(1, map(mse) * 1.4));
        m.put(prefix + MetricKeys.PRECISION, 1 / (1 + mse / 2));
        m.put(prefix + MetricKeys.RECALL, 1 / (1 + mse / 3));
        m.put(prefix + MetricKeys.LATENCY_P50_MS, latency);
        m.put(prefix + MetricKeys.LATENCY_P95_MS, latency * 1.2);
        m.put(prefix + MetricKeys.FPS, 1000 / latency);
        m.put(prefix + "mse", mse);
    }

    static double map(double mse) {
        return 0.7 / (1 + mse);
    }

    static double mse(double[] w, boolean[] active, double[][] x, double[] y) {
        double sum = 0;
        for (int n = 0; n < SAMPLES; n++) {
            double err = predict(w, active, x[n]) - y[n];
            sum += err * err;
        }
        return sum / SAMPLES;
    }

    static double predict(double[] w, boolean[] active, double[] xn) {
        double p = 0;
        for (int c = 0; c < CHANNELS; c++) {
            if (active[c]) {
                p += w[c] * xn[c];
            }
        }
        return p;
    }

    static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
