package io.prunesweep.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prunesweep.InputException;
import io.prunesweep.io.onnx.OnnxGraph;
import io.prunesweep.io.onnx.YoloOnnxExporter;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code prunesweep export --format onnx}: writes the model as ONNX (BatchNorm folded, decoded
 * output like ultralytics') and proves it by running it in ONNX Runtime against the engine's own
 * forward.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description =
                "Export a model to ONNX (opset 17, dynamic batch), checked in ONNX Runtime against the engine.")
public final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--format",
            defaultValue = "onnx",
            description = "Export format; onnx (default).")
    String format;

    @Option(
            names = "--imgsz",
            defaultValue = "640",
            description = "Square input size (default ${DEFAULT-VALUE}).")
    int imgsz;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description =
                    "Output file (any Hadoop URI); default: the weights' name with .onnx, or <model><scale>.onnx.")
    String out;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description =
                    "Seed of the initial weights when no --weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!"onnx".equalsIgnoreCase(format)) {
            throw new InputException(
                    "export: format '" + format + "' is not supported; use --format onnx");
        }
        try (YoloModel model = modelOptions.load(Device.cpu(), seed)) {
            ModelGraph g = model.graph();
            String target = out != null ? out : defaultOut(modelOptions.weights(), g);
            io.prunesweep.io.FileSystems.requireWritable(
                    target); // before minutes of export and check
            YoloOnnxExporter.Result r = YoloOnnxExporter.export(model, target, imgsz);
            Map<String, Object> report = report(g, r, imgsz);
            PrintWriter o = spec.commandLine().getOut();
            if (json) {
                o.println(
                        new ObjectMapper()
                                .enable(SerializationFeature.INDENT_OUTPUT)
                                .writeValueAsString(report));
            } else {
                o.printf(
                        Locale.ROOT,
                        "exported %s%s (%,d params, %.1f GFLOPs at %d) to %s: %.1f MB, ONNX opset %d%n",
                        g.name(),
                        g.scale(),
                        g.parameterCount(),
                        g.gflops(imgsz),
                        imgsz,
                        r.uri(),
                        r.bytes() / 1e6,
                        OnnxGraph.OPSET);
                o.println("ONNX Runtime check: " + r.check());
            }
            o.flush();
        }
        return 0;
    }

    static Map<String, Object> report(ModelGraph g, YoloOnnxExporter.Result r, int imgsz) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", r.uri());
        m.put("format", "onnx");
        m.put("opset", OnnxGraph.OPSET);
        m.put("model", g.name() + g.scale());
        m.put("nc", g.nc());
        m.put("imgsz", imgsz);
        m.put("params", g.parameterCount());
        m.put("gflops", g.gflops(imgsz));
        m.put("bytes", r.bytes());
        m.put("input", YoloOnnxExporter.INPUT);
        m.put("output", YoloOnnxExporter.OUTPUT);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("passed", r.check().passed());
        c.put("batch", r.check().batch());
        c.put("tolerance", YoloOnnxExporter.TOLERANCE);
        c.put("scores_max_abs_diff", r.check().scoreMaxAbsDiff());
        c.put("boxes_max_abs_diff", r.check().boxMaxAbsDiff());
        c.put("boxes_max_rel_diff", r.check().boxMaxRelDiff());
        m.put("check", c);
        return m;
    }

    /**
     * {@code dir/name.safetensors -> dir/name.onnx}; without weights {@code <model><scale>.onnx}
     * here.
     */
    static String defaultOut(String weights, ModelGraph g) {
        if (weights == null) {
            return g.name() + g.scale() + ".onnx";
        }
        int slash = weights.lastIndexOf('/');
        int dot = weights.lastIndexOf('.');
        return (dot > slash ? weights.substring(0, dot) : weights) + ".onnx";
    }
}
