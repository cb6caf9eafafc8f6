package io.prunesweep.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter and GFLOP counts of the anchor-based YOLOv5, YOLOv10 and YOLOv8+MCA graphs equal the upstream
 * implementations' printed model summaries at nc=80, 640x640: the training-time summary, and for YOLOv5 also the
 * "Fusing layers..." summary printed by detect/val (every BatchNorm folded into its conv as a bias), which is the
 * figure most logs and READMEs quote (e.g. YOLOv5m 21,172,173 / 48.9 is the fused one; unfused it is 21,190,557).
 */
class FamilyCountsTest {

    @ParameterizedTest(name = "{0}{1}: {2} params, {3} GFLOPs; fused {4}, {5}")
    @CsvSource({
        "yolov5, n, 1872157, 4.6, 1867405, 4.5",
        "yolov5, s, 7235389, 16.6, 7225885, 16.4",
        "yolov5, m, 21190557, 49.2, 21172173, 48.9",
        "yolov5, l, 46563709,     , 46533693, 109.0",
        "yolov5, x, 86749405,     , 86705005, 205.5",
    })
    void yolov5MatchesUpstream(String model, String scale, long params, Double gflops, long fusedParams, double fusedGflops) {
        ModelGraph g = build(model, scale);
        assertEquals(params, g.parameterCount());
        if (gflops != null) assertEquals(gflops, g.gflops(640), 0.05 + 1e-9); // no unfused l/x summary found upstream
        ModelGraph fused = fused(g);
        assertEquals(fusedParams, fused.parameterCount());
        assertEquals(fusedGflops, fused.gflops(640), 0.05 + 1e-9);
    }

    static ModelGraph build(String model, String scale) {
        return GraphBuilder.build(ModelDefinition.read(Path.of("../conf/models/" + model + ".yaml")), scale, null);
    }

    /** The graph as upstream's {@code fuse()} leaves it: every BatchNorm folded into its conv, which gains a bias. */
    static ModelGraph fused(ModelGraph g) {
        List<Layer> layers = g.layers().stream().map(l -> {
            Map<String, ConvSpec> convs = new LinkedHashMap<>();
            l.convs().forEach((k, c) -> convs.put(k, !c.bn() ? c : new ConvSpec(c.in(), c.out(), c.kernel(), c.stride(),
                    c.padding(), c.groups(), c.dilation(), false, c.act(), true, c.trainable())));
            return new Layer(l.index(), l.from(), l.module(), convs, l.attrs(), l.inChannels(), l.outChannels(),
                    l.stride(), l.tensors());
        }).toList();
        return new ModelGraph(g.name(), g.scale(), g.nc(), g.inputChannels(), layers);
    }
}
