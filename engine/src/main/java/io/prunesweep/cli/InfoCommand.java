package io.prunesweep.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code prunesweep info}: the layer table and totals (parameters, GFLOPs) of a YAML model or a
 * checkpoint.
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Show a model's layers, parameters and GFLOPs (as ultralytics counts them).")
public final class InfoCommand implements Callable<Integer> {
    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--imgsz",
            defaultValue = "640",
            description = "Image size for GFLOPs (default ${DEFAULT-VALUE}).")
    int imgsz;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ModelGraph g = modelOptions.graph();
        Map<String, Object> report = report(g, imgsz);
        if (json) {
            System.out.println(
                    new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(report));
            return 0;
        }
        System.out.printf(
                "%4s %14s %10s %12s %6s  %-8s%n",
                "idx", "from", "module", "params", "out", "GFLOPs");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) report.get("layers");
        for (Map<String, Object> l : layers) {
            System.out.printf(
                    "%4d %14s %10s %,12d %6d  %-8.2f%n",
                    l.get("index"),
                    l.get("from"),
                    l.get("module"),
                    l.get("params"),
                    l.get("out_channels"),
                    l.get("gflops"));
        }
        System.out.printf(
                "%s summary: %d layers, %,d parameters, %,d gradients, %.1f GFLOPs at %dx%d, nc=%d%n",
                report.get("model"),
                layers.size(),
                g.parameterCount(),
                g.trainableParameterCount(),
                g.gflops(imgsz),
                imgsz,
                imgsz,
                g.nc());
        return 0;
    }

    static Map<String, Object> report(ModelGraph g, int imgsz) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", g.name() + g.scale());
        r.put("family", g.name());
        r.put("scale", g.scale());
        r.put("nc", g.nc());
        r.put("imgsz", imgsz);
        r.put("params", g.parameterCount());
        r.put("gradients", g.trainableParameterCount());
        r.put("gflops", g.gflops(imgsz));
        List<Double> macs = g.layerMacs(32, 32);
        double scale = (imgsz / 32.0) * (imgsz / 32.0);
        List<Map<String, Object>> layers = new ArrayList<>();
        for (Layer l : g.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", l.index());
            m.put("from", Arrays.toString(l.from()));
            m.put("module", l.module());
            m.put("params", l.parameterCount());
            m.put("out_channels", l.outChannels());
            m.put("stride", l.stride());
            m.put("gflops", 2 * macs.get(l.index()) * scale / 1e9);
            layers.add(m);
        }
        r.put("layers", layers);
        return r;
    }
}
