package io.prunesweep.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prunesweep.InputException;
import io.prunesweep.eval.LatencyBenchmark;
import io.prunesweep.eval.LatencyStats;
import io.prunesweep.io.onnx.YoloOnnxExporter;
import io.prunesweep.model.Devices;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.io.PrintWriter;
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
 * {@code prunesweep bench}: inference latency (p50/p95 ms per batch) and throughput (images/s) per batch size,
 * in DJL or in ONNX Runtime on the checked ONNX export of the same weights.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure inference latency p50/p95 and FPS per batch size (DJL or ONNX Runtime).")
public final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ModelOptions modelOptions;

    @Option(names = "--imgsz", defaultValue = "640", description = "Square input size (default ${DEFAULT-VALUE}).")
    int imgsz;

    @Option(names = "--batch", split = ",", defaultValue = "1", paramLabel = "N",
            description = "Batch sizes, comma-separated (default ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu:N (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs per batch size (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iters", defaultValue = "20", description = "Timed runs per batch size (default ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--runtime", defaultValue = "djl", description = "djl or onnx (default ${DEFAULT-VALUE}).")
    String runtime;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial weights when no --weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String rt = runtime.toLowerCase(Locale.ROOT);
        if (!rt.equals("djl") && !rt.equals("onnx")) {
            throw new InputException("bench: runtime '" + runtime + "' is not supported; use --runtime djl or onnx");
        }
        for (int b : batches) {
            if (b < 1) throw new InputException("bench: batch sizes must be >= 1, got " + b);
        }
        Device dev = Devices.parse(device.trim().toLowerCase(Locale.ROOT));
        if (rt.equals("onnx") && dev.isGpu()) {
            throw new InputException("bench: --runtime onnx runs on the CPU build of ONNX Runtime; use --device cpu");
        }
        LatencyBenchmark.Settings settings = new LatencyBenchmark.Settings(imgsz, warmup, iters);

        Map<String, Object> report = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (YoloModel model = modelOptions.load(dev, seed)) {
            ModelGraph g = model.graph();
            report.put("model", g.name() + g.scale());
            report.put("runtime", rt);
            report.put("device", dev.isGpu() ? "gpu:" + dev.getDeviceId() : "cpu");
            report.put("imgsz", imgsz);
            report.put("warmup", warmup);
            report.put("iters", iters);
            report.put("params", g.parameterCount());
            report.put("gflops", g.gflops(imgsz));
            byte[] onnx = null;
            if (rt.equals("onnx")) {
                onnx = YoloOnnxExporter.toBytes(model, imgsz);
                YoloOnnxExporter.Check check = YoloOnnxExporter.check(model, onnx, "bench export", imgsz, 1, 0);
                if (!check.passed()) {
                    throw new InputException("bench: the in-memory ONNX export does not match the engine (" + check + ")");
                }
            } else {
                YoloOnnxExporter.graph(model, imgsz); // same image-size check as the ONNX path, before timing
            }
            for (int b : batches) {
                LatencyStats s = onnx != null
                        ? LatencyBenchmark.onnx(onnx, YoloOnnxExporter.INPUT, g.inputChannels(), b, settings)
                        : LatencyBenchmark.djl(model, b, settings);
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
        PrintWriter o = spec.commandLine().getOut();
        if (json) {
            o.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            o.printf(Locale.ROOT, "%s on %s (%s), %dx%d, %d warm-up + %d timed runs per batch size%n",
                    report.get("model"), report.get("device"), rt, imgsz, imgsz, warmup, iters);
            o.printf(Locale.ROOT, "%6s %10s %10s %10s %10s%n", "batch", "p50 ms", "p95 ms", "mean ms", "img/s");
            for (Map<String, Object> r : rows) {
                o.printf(Locale.ROOT, "%6d %10.2f %10.2f %10.2f %10.1f%n", r.get("batch"), r.get("p50_ms"),
                        r.get("p95_ms"), r.get("mean_ms"), r.get("fps"));
            }
        }
        o.flush();
        return 0;
    }
}
