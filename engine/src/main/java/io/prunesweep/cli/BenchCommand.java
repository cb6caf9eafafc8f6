package io.prunesweep.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prunesweep.InputException;
import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.eval.LatencyBenchmark;
import io.prunesweep.eval.LatencyStats;
import io.prunesweep.io.FileSystems;
import io.prunesweep.io.onnx.YoloOnnxExporter;
import io.prunesweep.model.Devices;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import io.prunesweep.train.TrainBenchmark;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code prunesweep bench}: inference latency (p50/p95 ms per batch) and throughput (images/s) per
 * batch size, in DJL or in ONNX Runtime on the checked ONNX export of the same weights.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Measure inference latency p50/p95 and FPS per batch size (DJL or ONNX Runtime);"
                        + " `bench train` measures training throughput.",
        subcommands = {BenchCommand.Train.class})
public final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--imgsz",
            defaultValue = "640",
            description = "Square input size (default ${DEFAULT-VALUE}).")
    int imgsz;

    @Option(
            names = "--batch",
            split = ",",
            defaultValue = "1",
            paramLabel = "N",
            description = "Batch sizes, comma-separated (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(
            names = "--device",
            defaultValue = "cpu",
            description = "cpu or gpu:N (default ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--warmup",
            defaultValue = "3",
            description = "Untimed runs per batch size (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--iters",
            defaultValue = "20",
            description = "Timed runs per batch size (default ${DEFAULT-VALUE}).")
    int iters;

    @Option(
            names = "--runtime",
            defaultValue = "djl",
            description = "djl or onnx (default ${DEFAULT-VALUE}).")
    String runtime;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description =
                    "Seed of the initial weights when no --weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(
            names = "--no-fuse",
            description =
                    "DJL: keep BatchNorm as its own op instead of folding it into the"
                            + " convs (ultralytics' fuse(), the default), to see what folding saves.")
    boolean noFuse;

    @Override
    public Integer call() throws Exception {
        String rt = runtime.toLowerCase(Locale.ROOT);
        if (!rt.equals("djl") && !rt.equals("onnx")) {
            throw new InputException(
                    "bench: runtime '" + runtime + "' is not supported; use --runtime djl or onnx");
        }
        for (int b : batches) {
            if (b < 1) {
                throw new InputException("bench: batch sizes must be >= 1, got " + b);
            }
        }
        Device dev = Devices.parse(device.trim().toLowerCase(Locale.ROOT));
        if (rt.equals("onnx") && dev.isGpu()) {
            throw new InputException(
                    "bench: --runtime onnx runs on the CPU build of ONNX Runtime; use --device cpu");
        }
        LatencyBenchmark.Settings settings = new LatencyBenchmark.Settings(imgsz, warmup, iters);

        Map<String, Object> report = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (YoloModel model = modelOptions.load(dev, seed)) {
            ModelGraph g = model.graph();
            report.put("model", g.name() + g.scale());
            report.put("runtime", rt);
            if (rt.equals("djl")) {
                report.put("batchnorm", noFuse ? "separate op" : "folded");
            }
            report.put("device", dev.isGpu() ? "gpu:" + dev.getDeviceId() : "cpu");
            report.put("imgsz", imgsz);
            report.put("warmup", warmup);
            report.put("iters", iters);
            report.put("params", g.parameterCount());
            report.put("gflops", g.gflops(imgsz));
            byte[] onnx = null;
            if (rt.equals("onnx")) {
                onnx = YoloOnnxExporter.toBytes(model, imgsz);
                YoloOnnxExporter.Check check =
                        YoloOnnxExporter.check(model, onnx, "bench export", imgsz, 1, 0);
                if (!check.passed()) {
                    throw new InputException(
                            "bench: the in-memory ONNX export does not match the engine ("
                                    + check
                                    + ")");
                }
            } else {
                YoloOnnxExporter.graph(
                        model, imgsz); // same image-size check as the ONNX path, before timing
            }
            for (int b : batches) {
                LatencyStats s =
                        onnx != null
                                ? LatencyBenchmark.onnx(
                                        onnx,
                                        YoloOnnxExporter.INPUT,
                                        g.inputChannels(),
                                        b,
                                        settings)
                                : djl(model, b, settings);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("batch", b);
                row.put("runs", s.runs());
                row.put("p50_ms", s.p50Ms());
                row.put("p95_ms", s.p95Ms());
                row.put("mean_ms", s.meanMs());
                row.put("fps", s.fps());
                rows.add(row);
            }
        }
        report.put("results", rows);
        report.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        report.put(
                "omp_wait_policy", String.valueOf(io.prunesweep.backend.ThreadPolicy.waitPolicy()));
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(
                    new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(report));
        } else {
            o.printf(
                    Locale.ROOT,
                    "%s on %s (%s%s), %dx%d, %d warm-up + %d timed runs per batch size, %s libtorch"
                            + " threads, OMP_WAIT_POLICY=%s%n",
                    report.get("model"),
                    report.get("device"),
                    rt,
                    rt.equals("djl") ? ", BatchNorm " + report.get("batchnorm") : "",
                    imgsz,
                    imgsz,
                    warmup,
                    iters,
                    report.get("threads"),
                    report.get("omp_wait_policy"));
            o.printf(
                    Locale.ROOT,
                    "%6s %10s %10s %10s %10s%n",
                    "batch",
                    "p50 ms",
                    "p95 ms",
                    "mean ms",
                    "img/s");
            for (Map<String, Object> r : rows) {
                o.printf(
                        Locale.ROOT,
                        "%6d %10.2f %10.2f %10.2f %10.1f%n",
                        r.get("batch"),
                        r.get("p50_ms"),
                        r.get("p95_ms"),
                        r.get("mean_ms"),
                        r.get("fps"));
            }
        }
        o.flush();
        return 0;
    }

    private LatencyStats djl(YoloModel model, int batch, LatencyBenchmark.Settings settings) {
        if (noFuse) {
            return LatencyBenchmark.djl(model, batch, settings);
        }
        try (YoloModel inference = model.fused()) {
            return LatencyBenchmark.djl(inference, batch, settings);
        }
    }

    /**
     * {@code prunesweep bench train}: training images/s (full steps fed by the loader) and loader
     * samples/s (mosaic on, RAM cache by default), measured separately; a table or {@code --json}.
     */
    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description =
                    "Measure training throughput: images/s of full training steps and loader samples/s"
                            + " (mosaic, RAM cache), separately.")
    public static final class Train implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Mixin ModelOptions modelOptions;

        @Option(
                names = "--data",
                required = true,
                description = "Dataset YAML (its train split is used).")
        String data;

        @Option(
                names = "--imgsz",
                defaultValue = "640",
                description = "Training image size (default ${DEFAULT-VALUE}).")
        int imgsz;

        @Option(
                names = "--batch",
                defaultValue = "16",
                description = "Batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(
                names = "--iters",
                defaultValue = "20",
                description = "Timed batches per part (default ${DEFAULT-VALUE}).")
        int iters;

        @Option(
                names = "--warmup",
                defaultValue = "3",
                description = "Untimed batches first (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(
                names = "--workers",
                defaultValue = "1",
                description = "Loader threads (default ${DEFAULT-VALUE}).")
        int workers;

        @Option(
                names = "--cache",
                defaultValue = "ram",
                description = "ram or none (default ${DEFAULT-VALUE}).")
        String cache;

        @Option(
                names = "--threads",
                defaultValue = "0",
                description = "libtorch threads, 0 = one per processor (default ${DEFAULT-VALUE}).")
        int threads;

        @Option(
                names = "--nbs",
                defaultValue = "64",
                description =
                        "Nominal batch: one optimizer step per nbs/batch batches (default ${DEFAULT-VALUE}).")
        int nbs;

        @Option(
                names = "--optimizer",
                defaultValue = "AdamW",
                description = "SGD or AdamW (default ${DEFAULT-VALUE}).")
        String optimizer;

        @Option(
                names = "--part",
                defaultValue = "both",
                description = "loader, train or both (default ${DEFAULT-VALUE}).")
        String part;

        @Option(
                names = "--device",
                defaultValue = "cpu",
                description = "cpu or gpu:N (default ${DEFAULT-VALUE}).")
        String device;

        @Option(
                names = "--seed",
                defaultValue = "0",
                description = "Seed of weights and augmentation (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            String c = cache.toLowerCase(Locale.ROOT);
            if (!c.equals("ram") && !c.equals("none")) {
                throw new InputException(
                        "bench train: --cache must be ram or none, got '" + cache + "'");
            }
            String p = part.toLowerCase(Locale.ROOT);
            if (!List.of("loader", "train", "both").contains(p)) {
                throw new InputException(
                        "bench train: --part must be loader, train or both, got '" + part + "'");
            }
            TrainBenchmark.Settings s =
                    new TrainBenchmark.Settings(
                            imgsz,
                            batch,
                            warmup,
                            iters,
                            workers,
                            c.equals("ram"),
                            threads,
                            nbs,
                            seed,
                            optimizer);
            Device dev = Devices.parse(device.trim().toLowerCase(Locale.ROOT));
            Devices.use(dev);
            DatasetConfig dc = DatasetConfig.load(data, FileSystems.conf());
            YoloDataset train =
                    YoloDataset.scan(dc, "train", FileSystems.conf(), Math.max(2, workers));
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("data", data);
            report.put("images", train.size());
            report.put("imgsz", imgsz);
            report.put("batch", batch);
            report.put("iters", iters);
            report.put("cache", c);
            report.put("processors", Runtime.getRuntime().availableProcessors());
            report.put(
                    "load_average",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            report.put("nbs", nbs);
            report.put("optimizer", optimizer);
            TrainBenchmark.LoaderResult lr = null;
            TrainBenchmark.TrainResult tr = null;
            if (!p.equals("train")) {
                lr = TrainBenchmark.loader(train, s);
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("workers", lr.workers());
                l.put("samples", lr.samples());
                l.put("seconds", lr.seconds());
                l.put("samples_per_s", lr.samplesPerSecond());
                l.put("samples_per_s_per_worker", lr.samplesPerSecondPerWorker());
                l.put("cache_mb", lr.cachedBytes() / 1e6);
                l.put("cache_fill_s", lr.cacheSeconds());
                report.put("loader", l);
            }
            if (!p.equals("loader")) {
                if (modelOptions.graphFromYaml() == null && modelOptions.weights() == null) {
                    throw new InputException(
                            "bench train: name a model: --model <yaml> --scale <s>, or --weights <checkpoint>");
                }
                modelOptions.useDataClasses(dc.nc());
                try (YoloModel model = modelOptions.load(dev, seed)) {
                    if (model.graph().nc() != dc.nc()) {
                        throw new InputException(
                                "bench train: the model has nc="
                                        + model.graph().nc()
                                        + " but "
                                        + data
                                        + " has "
                                        + dc.nc()
                                        + " classes");
                    }
                    report.put("model", model.graph().name() + model.graph().scale());
                    report.put("gflops", model.graph().gflops(imgsz));
                    tr = TrainBenchmark.train(model, train, s);
                }
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("threads", tr.threads());
                t.put("images", tr.images());
                t.put("seconds", tr.seconds());
                t.put("images_per_s", tr.imagesPerSecond());
                t.put("forward_ms", tr.forwardMs());
                t.put("loss_ms", tr.lossMs());
                t.put("backward_ms", tr.backwardMs());
                t.put("optimizer_ms", tr.optimizerMs());
                t.put("data_wait_ms", tr.dataWaitMs());
                t.put("optimizer_steps", tr.optimizerSteps());
                t.put("optimizer_share", tr.optimizerShare());
                t.put("omp_wait_policy", io.prunesweep.backend.ThreadPolicy.waitPolicy());
                t.put("rss_start_mb", tr.rssStartMb());
                t.put("rss_end_mb", tr.rssEndMb());
                t.put("rss_mb_each_quarter", tr.rssMb());
                report.put("train", t);
            }
            PrintWriter o = spec.commandLine().getOut();
            if (json) {
                o.println(
                        new ObjectMapper()
                                .enable(SerializationFeature.INDENT_OUTPUT)
                                .writeValueAsString(report));
            } else {
                o.printf(
                        Locale.ROOT,
                        "%s: %d images, %dx%d, batch %d, nbs %d, %s, %d timed batches, cache %s, %d processors,"
                                + " load %.2f, %s%n",
                        data,
                        train.size(),
                        imgsz,
                        imgsz,
                        batch,
                        nbs,
                        optimizer,
                        iters,
                        c,
                        Runtime.getRuntime().availableProcessors(),
                        (double) report.get("load_average"),
                        io.prunesweep.backend.ThreadPolicy.describe());
                if (lr != null) {
                    o.printf(
                            Locale.ROOT,
                            "%-8s %8s %12s %18s %10s%n",
                            "loader",
                            "workers",
                            "samples/s",
                            "samples/s/worker",
                            "cache MB");
                    o.printf(
                            Locale.ROOT,
                            "%-8s %8d %12.1f %18.1f %10.1f%n",
                            "mosaic",
                            lr.workers(),
                            lr.samplesPerSecond(),
                            lr.samplesPerSecondPerWorker(),
                            lr.cachedBytes() / 1e6);
                }
                if (tr != null) {
                    o.printf(
                            Locale.ROOT,
                            "%-8s %8s %10s %10s %10s %10s %10s %10s  %s%n",
                            "train",
                            "threads",
                            "img/s",
                            "fwd ms",
                            "loss ms",
                            "bwd ms",
                            "optim ms",
                            "wait ms",
                            "RSS MB (start, each quarter)");
                    StringBuilder rss = new StringBuilder().append(tr.rssStartMb());
                    tr.rssMb().forEach(m -> rss.append(" ").append(m));
                    o.printf(
                            Locale.ROOT,
                            "%-8s %8d %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f  %s%n",
                            report.get("model"),
                            tr.threads(),
                            tr.imagesPerSecond(),
                            tr.forwardMs(),
                            tr.lossMs(),
                            tr.backwardMs(),
                            tr.optimizerMs(),
                            tr.dataWaitMs(),
                            rss);
                    o.println(
                            "(ms per batch; optim = sparsity/clip/optimizer/zero/EMA, one step per nbs/batch batches;"
                                    + " wait = waiting for the loader)");
                    o.printf(
                            Locale.ROOT,
                            "optimizer step: %.1f ms, %.1f %% of a training step%n",
                            tr.optimizerMs() * Math.max(1, Math.round((double) nbs / batch)),
                            100 * tr.optimizerShare());
                }
            }
            o.flush();
            return 0;
        }
    }
}
