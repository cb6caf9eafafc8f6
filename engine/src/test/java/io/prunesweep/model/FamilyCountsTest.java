package io.prunesweep.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parameter and GFLOP counts of the anchor-based YOLOv5, YOLOv10 and YOLOv8+MCA graphs equal the
 * upstream implementations' printed model summaries at nc=80, 640x640: the training-time summary,
 * and for YOLOv5 also the "Fusing layers..." summary printed by detect/val (every BatchNorm folded
 * into its conv as a bias), which is the figure most logs and READMEs quote (e.g. YOLOv5m
 * 21,172,173 / 48.9 is the fused one; unfused it is 21,190,557).
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
    void yolov5MatchesUpstream(
            String model,
            String scale,
            long params,
            Double gflops,
            long fusedParams,
            double fusedGflops) {
        ModelGraph g = build(model, scale);
        assertEquals(params, g.parameterCount());
        if (gflops != null) {
            assertEquals(
                    gflops, g.gflops(640), 0.05 + 1e-9); // no unfused l/x summary found upstream
        }
        ModelGraph fused = fused(g);
        assertEquals(fusedParams, fused.parameterCount());
        assertEquals(fusedGflops, fused.gflops(640), 0.05 + 1e-9);
    }

    /**
     * YOLOv10 (THU-MIG/ultralytics summaries); YOLOv10s' GFLOPs are not asserted (no upstream
     * figure at hand).
     */
    @ParameterizedTest(name = "{0}{1}: {2} params")
    @CsvSource({
        "yolov10, n, 2775520, 2775504, 8.7",
        "yolov10s, s, 8128272, 8128256, ",
    })
    void yolov10MatchesUpstream(
            String model, String scale, long params, long gradients, Double gflops) {
        ModelGraph g = build(model, scale);
        assertEquals(params, g.parameterCount());
        assertEquals(
                gradients, g.trainableParameterCount(), "all but the fixed DFL projection train");
        if (gflops != null) {
            assertEquals(gflops, g.gflops(640), 0.05 + 1e-9);
        }
    }

    /**
     * YOLOv8 + MCA: YOLOv8's count plus the reference MCALayer's parameters (per gate 2 mixing
     * weights and a 1 x k conv; k = 3 for H and W; for C k = odd(round(|log2(c) - 1| / 1.5))): n
     * has MCA on 64, 128, 256 channels (k = 3, 3, 5: 15 + 15 + 17), s on 128, 256, 512 (k = 3, 5,
     * 5: 15 + 17 + 17).
     */
    @ParameterizedTest(name = "yolov8-mca {0}: {1} params")
    @CsvSource({"n, 3157200, 47", "s, 11166560, 49"})
    void yolov8McaAddsTheReferenceGateParameters(String scale, long yolov8, long mca) {
        ModelGraph g = build("yolov8-mca", scale);
        assertEquals(yolov8 + mca, g.parameterCount());
        assertEquals(yolov8, build("yolov8", scale).parameterCount());
        // thop counts the gates' average pools and 1-D convs, a few MFLOPs: GFLOPs as YOLOv8's at
        // one decimal
        assertEquals(build("yolov8", scale).gflops(640), g.gflops(640), 0.05);
    }

    /**
     * A YOLOv5 YAML as upstream writes it (multiples instead of scales, flow-style lists, anchors
     * by name) builds too.
     */
    @Test
    void upstreamYolov5YamlBuilds(@TempDir Path dir) throws IOException {
        Path yaml = dir.resolve("yolov5s.yaml");
        Files.writeString(
                yaml,
                String.join(
                        "\n",
                        "nc: 80  # number of classes",
                        "depth_multiple: 0.33  # model depth multiple",
                        "width_multiple: 0.50  # layer channel multiple",
                        "anchors:",
                        "  - [10,13, 16,30, 33,23]  # P3/8",
                        "  - [30,61, 62,45, 59,119]  # P4/16",
                        "  - [116,90, 156,198, 373,326]  # P5/32",
                        "backbone:",
                        "  [[-1, 1, Conv, [64, 6, 2, 2]], [-1, 1, Conv, [128, 3, 2]], [-1, 3, C3, [128]],",
                        "   [-1, 1, Conv, [256, 3, 2]], [-1, 6, C3, [256]], [-1, 1, Conv, [512, 3, 2]], [-1, 9, C3, [512]],",
                        "   [-1, 1, Conv, [1024, 3, 2]], [-1, 3, C3, [1024]], [-1, 1, SPPF, [1024, 5]]]",
                        "head:",
                        "  [[-1, 1, Conv, [512, 1, 1]], [-1, 1, nn.Upsample, [None, 2, 'nearest']], [[-1, 6], 1, Concat, [1]],",
                        "   [-1, 3, C3, [512, False]], [-1, 1, Conv, [256, 1, 1]], [-1, 1, nn.Upsample, [None, 2, 'nearest']],",
                        "   [[-1, 4], 1, Concat, [1]], [-1, 3, C3, [256, False]], [-1, 1, Conv, [256, 3, 2]],",
                        "   [[-1, 14], 1, Concat, [1]], [-1, 3, C3, [512, False]], [-1, 1, Conv, [512, 3, 2]],",
                        "   [[-1, 10], 1, Concat, [1]], [-1, 3, C3, [1024, False]],",
                        "   [[17, 20, 23], 1, Detect, [nc, anchors]]]",
                        ""));
        ModelGraph g = GraphBuilder.build(ModelDefinition.read(yaml), null, null);
        assertEquals(7235389, g.parameterCount());
        assertEquals("AnchorDetect", g.head().module());
        Files.writeString(yaml, Files.readString(yaml).replace("[nc, anchors]", "[nc, 3]"));
        InputException e =
                assertThrows(
                        InputException.class,
                        () -> GraphBuilder.build(ModelDefinition.read(yaml), null, null));
        assertTrue(
                e.getMessage()
                        .contains(
                                "layer 24: anchors given as a count (3) need YOLOv5's AutoAnchor"),
                e.getMessage());
    }

    static ModelGraph build(String model, String scale) {
        return GraphBuilder.build(
                ModelDefinition.read(Path.of("../conf/models/" + model + ".yaml")), scale, null);
    }

    /**
     * The graph as upstream's {@code fuse()} leaves it: every BatchNorm folded into its conv, which
     * gains a bias.
     */
    static ModelGraph fused(ModelGraph g) {
        List<Layer> layers =
                g.layers().stream()
                        .map(
                                l -> {
                                    Map<String, ConvSpec> convs = new LinkedHashMap<>();
                                    l.convs()
                                            .forEach(
                                                    (k, c) ->
                                                            convs.put(
                                                                    k,
                                                                    !c.bn()
                                                                            ? c
                                                                            : new ConvSpec(
                                                                                    c.in(),
                                                                                    c.out(),
                                                                                    c.kernel(),
                                                                                    c.stride(),
                                                                                    c.padding(),
                                                                                    c.groups(),
                                                                                    c.dilation(),
                                                                                    false,
                                                                                    c.act(),
                                                                                    true,
                                                                                    c
                                                                                            .trainable())));
                                    return new Layer(
                                            l.index(),
                                            l.from(),
                                            l.module(),
                                            convs,
                                            l.attrs(),
                                            l.inChannels(),
                                            l.outChannels(),
                                            l.stride(),
                                            l.tensors());
                                })
                        .toList();
        return new ModelGraph(g.name(), g.scale(), g.nc(), g.inputChannels(), layers);
    }
}
