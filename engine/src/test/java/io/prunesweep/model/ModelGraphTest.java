package io.prunesweep.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parameter and GFLOP counts must equal ultralytics' own summaries, number for number. */
class ModelGraphTest {

    @ParameterizedTest(name = "{0}{1}: {2} params, {3} GFLOPs")
    @CsvSource({
        "yolov8, n, 3157200, 8.9",
        "yolov8, s, 11166560, 28.8",
        "yolov8, m, 25902640, 79.3",
        "yolov8, l, 43691520, 165.7",
        "yolov8, x, 68229648, 258.5",
        "yolov5u, n, 2654816, 7.8",
        "yolov5u, s, 9153152, 24.2",
        "yolo11, n, 2624080, 6.6",
        "yolo11, s, 9458752, 21.7",
        "yolo11, m, 20114688, 68.5",
        "yolo11, l, 25372160, 87.6",
        "yolo11, x, 56966176, 196.0",
    })
    void countsMatchUltralytics(String model, String scale, long params, double gflops) {
        ModelGraph g =
                GraphBuilder.build(
                        ModelDefinition.read(Path.of("../conf/models/" + model + ".yaml")),
                        scale,
                        null);
        assertEquals(params, g.parameterCount());
        assertEquals(
                params - 16, g.trainableParameterCount(), "all but the fixed DFL projection train");
        assertEquals(gflops, g.gflops(640), 0.05 + 1e-9);
    }

    @Test
    void classCountChangesOnlyTheClassBranch() {
        ModelDefinition def = ModelDefinition.bundled("yolov8");
        ModelGraph g80 = GraphBuilder.build(def, "n", null);
        ModelGraph g3 = GraphBuilder.build(def, "n", 3);
        // YOLOv8n class branch width c3 = max(ch0, min(nc, 100)): 80 at nc=80, 64 at nc=3. Per
        // level with input
        // width ch: conv3x3 ch->c3 (+BN), conv3x3 c3->c3 (+BN), conv1x1 c3->nc (+bias); ch = 64,
        // 128, 256.
        long diff = 0;
        for (int ch : new int[] {64, 128, 256}) {
            long at80 = 80L * ch * 9 + 160 + 80L * 80 * 9 + 160 + 80L * 80 + 80;
            long at3 = 64L * ch * 9 + 128 + 64L * 64 * 9 + 128 + 64L * 3 + 3;
            diff += at80 - at3;
        }
        assertEquals(145767, diff);
        assertEquals(g80.parameterCount() - diff, g3.parameterCount());
        // a class count above the first level's width widens the class branch: c3 = min(nc, 100) =
        // 100
        ModelGraph g200 = GraphBuilder.build(def, "n", 200);
        assertEquals(100, g200.head().conv("cv3.0.0").out());
    }

    @Test
    void unknownModuleIsNamed(@TempDir Path dir) throws IOException {
        Path yaml =
                write(
                        dir,
                        "bad.yaml",
                        "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [-1, 1, Foo, [16]]\nhead:\n  - [[1], 1, Detect, [nc]]\n");
        InputException e =
                assertThrows(
                        InputException.class,
                        () -> GraphBuilder.build(ModelDefinition.read(yaml), null, null));
        assertTrue(
                e.getMessage().contains("bad.yaml: layer 1: unknown module 'Foo'"), e.getMessage());
    }

    @Test
    void wrongFromIndexIsNamed(@TempDir Path dir) throws IOException {
        Path yaml =
                write(
                        dir,
                        "from.yaml",
                        "nc: 2\nbackbone:\n  - [-1, 1, Conv, [16, 3, 2]]\n  - [5, 1, Conv, [16, 3, 2]]\nhead:\n  - [[1], 1, Detect, [nc]]\n");
        InputException e =
                assertThrows(
                        InputException.class,
                        () -> GraphBuilder.build(ModelDefinition.read(yaml), null, null));
        assertTrue(
                e.getMessage().contains("layer 1: 'from' index 5 does not name an earlier layer"),
                e.getMessage());
    }

    @Test
    void missingScaleListsTheDefinedOnes() {
        InputException e =
                assertThrows(
                        InputException.class,
                        () -> GraphBuilder.build(ModelDefinition.bundled("yolov8"), "q", null));
        assertTrue(
                e.getMessage().contains("no scale 'q'; the YAML defines n, s, m, l, x"),
                e.getMessage());
    }

    @Test
    void unreadableFileIsNamed(@TempDir Path dir) throws IOException {
        Path yaml = write(dir, "broken.yaml", "nc: [unclosed\n");
        InputException e = assertThrows(InputException.class, () -> ModelDefinition.read(yaml));
        assertTrue(e.getMessage().startsWith(yaml + ": not valid YAML"), e.getMessage());
        assertThrows(InputException.class, () -> ModelDefinition.read(dir.resolve("missing.yaml")));
    }

    @Test
    void graphSurvivesJson() {
        ModelGraph g = GraphBuilder.build(ModelDefinition.bundled("yolo11"), "n", 5);
        ModelGraph back = ModelGraph.fromJson(g.toJson(), "test");
        assertEquals(g.parameterCount(), back.parameterCount());
        assertEquals(g.gflops(640), back.gflops(640), 1e-9);
        assertEquals(g.toJson(), back.toJson());
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
