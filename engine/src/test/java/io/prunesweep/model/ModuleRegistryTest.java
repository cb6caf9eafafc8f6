package io.prunesweep.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import io.prunesweep.InputException;
import io.prunesweep.model.modules.ConvModule;
import io.prunesweep.model.nn.LayerForward;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One registry per graph, built-ins registered one way, and the package arrows pointing one way.
 */
class ModuleRegistryTest {

    /** A Conv under another name, for one graph only. */
    static final class Renamed implements ModuleType {
        private final ConvModule conv = new ConvModule(false);

        @Override
        public List<String> names() {
            return List.of("OnlyHereConv");
        }

        @Override
        public Layer define(LayerContext ctx) {
            Layer l = conv.define(ctx);
            return new Layer(
                    l.index(),
                    l.from(),
                    "OnlyHereConv",
                    l.convs(),
                    l.attrs(),
                    l.inChannels(),
                    l.outChannels(),
                    l.stride());
        }

        @Override
        public NDList forward(Layer layer, LayerForward f, NDList inputs) {
            return conv.forward(layer, f, inputs);
        }

        @Override
        public Wiring wiring(Layer layer) {
            return conv.wiring(layer);
        }
    }

    @Test
    void aModuleAddedForOneGraphIsInvisibleToOthers(@TempDir Path dir) throws IOException {
        Path yaml =
                Files.writeString(
                        dir.resolve("one.yaml"),
                        """
                nc: 2
                scales: {n: [0.33, 0.25, 1024]}
                backbone:
                  - [-1, 1, Conv, [64, 3, 2]]
                  - [-1, 1, OnlyHereConv, [128, 3, 2]]
                  - [-1, 1, Conv, [256, 3, 2]]
                head:
                  - [[0, 1, 2], 1, Detect, [nc]]
                """);
        ModuleRegistry mine = ModuleRegistry.standard().with(new Renamed());
        ModelGraph g = GraphBuilder.build(ModelDefinition.read(yaml), "n", null, mine);
        assertSame(mine, g.modules());
        assertTrue(g.type(g.layers().get(1)) instanceof Renamed);
        assertEquals(
                g.withLayers(g.layers()).modules(), mine, "a rebuilt graph keeps its registry");
        InputException e =
                assertThrows(
                        InputException.class,
                        () -> GraphBuilder.build(ModelDefinition.read(yaml), "n", null));
        assertTrue(e.getMessage().contains("unknown module 'OnlyHereConv'"), e.getMessage());
        assertEquals(null, ModuleRegistry.standard().find("OnlyHereConv"));
    }

    @Test
    void everyBuiltInIsRegisteredInCodeAndTheStandardRegistryHasThemAll() throws IOException {
        List<ModuleType> builtIns = ModuleRegistry.builtIns();
        for (ModuleType t : builtIns) {
            for (String name : t.names()) {
                assertEquals(t.getClass(), ModuleRegistry.standard().get(name).getClass(), name);
            }
        }
        assertEquals(18, builtIns.size());
        assertTrue(ModuleRegistry.standard().find("MCALayer") != null, "MCA is a built-in");
        // built-ins are registered one way: no service file on the classpath names one of them
        var urls =
                getClass()
                        .getClassLoader()
                        .getResources("META-INF/services/" + ModuleType.class.getName());
        List<String> builtInClasses = builtIns.stream().map(t -> t.getClass().getName()).toList();
        while (urls.hasMoreElements()) {
            var url = urls.nextElement();
            try (var in = url.openStream()) {
                for (String line :
                        new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                                .split("\n")) {
                    assertTrue(
                            !builtInClasses.contains(line.strip()),
                            url + " registers the built-in " + line.strip());
                }
            }
        }
    }

    @Test
    void detectResolvesByItsArgumentsAndC3k2ClearsTheLegacyFlag() {
        ModelGraph v5 = GraphBuilder.build(ModelDefinition.bundled("yolov5"), "n", 2);
        assertEquals("AnchorDetect", v5.head().module());
        ModelGraph v11 = GraphBuilder.build(ModelDefinition.bundled("yolo11"), "n", 2);
        ModelGraph v8 = GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2);
        assertTrue(v11.head().convs().containsKey("cv3.0.0.0"), "YOLO11: depthwise class branch");
        assertTrue(
                v8.head().convs().containsKey("cv3.0.0")
                        && !v8.head().convs().containsKey("cv3.0.0.0"),
                "YOLOv8: legacy class branch");
    }

    /** graph → model and io.onnx → model, never back: the model package names neither. */
    @Test
    void theModelPackageDependsOnNeitherGraphNorOnnx() throws IOException {
        Path model = Path.of("src/main/java/io/prunesweep/model");
        try (Stream<Path> files = Files.walk(model)) {
            List<String> offenders =
                    files.filter(p -> p.toString().endsWith(".java"))
                            .flatMap(
                                    p -> {
                                        try {
                                            return Files.readAllLines(p).stream()
                                                    .filter(
                                                            l ->
                                                                    !l.strip().startsWith("*")
                                                                            && !l.strip()
                                                                                    .startsWith(
                                                                                            "/")) // code, not comments
                                                    .filter(
                                                            l ->
                                                                    l.contains(
                                                                                    "io.prunesweep.graph.")
                                                                            || l.contains(
                                                                                    "io.prunesweep.io.onnx."))
                                                    .map(
                                                            l ->
                                                                    model.relativize(p)
                                                                            + ": "
                                                                            + l.strip());
                                        } catch (IOException e) {
                                            throw new java.io.UncheckedIOException(e);
                                        }
                                    })
                            .toList();
            assertEquals(List.of(), offenders);
        }
    }
}
