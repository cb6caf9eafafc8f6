package io.prunesweep.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sweep YAML for script runs: the test ToyStageExecutor trains it in child JVMs in about a second
 * a stage. The data file only needs to exist and the model is the bundled YOLOv8 (the sweep
 * validates it; the toy reads neither).
 */
final class TinySweep {
    private TinySweep() {}

    /**
     * @param lambdas e.g. "[0]" or "[0, 0.01]"
     * @param ratios e.g. "[0.5]"
     */
    static Path write(Path dir, String id, Path output, String lambdas, String ratios)
            throws IOException {
        Files.createDirectories(dir);
        Path data = Files.writeString(dir.resolve("data.yaml"), "names: [a, b, c]\n");
        return Files.writeString(
                dir.resolve(id + ".yaml"),
                """
                sweep: {id: %s}
                model: {yaml: yolov8, scale: n}
                data: {dataset: %s, imgsz: 64, batch: 4}
                epochs: {dense: 2, sparse: 1, finetune: 1}
                seeds: [0]
                sparse: {lambdas: %s}
                prune: {methods: [bn], ratios: %s, min_channels: 4}
                output: "%s"
                spark:
                  child_heap: 192m
                  child_threads: 1
                  timeout_minutes: 5
                  child_java_options: ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dprunesweep.executor=io.prunesweep.sweep.testing.ToyStageExecutor"]
                  conf: {spark.ui.enabled: "false", spark.sql.shuffle.partitions: "1"}
                """
                        .formatted(id, data, lambdas, ratios, output.toAbsolutePath()));
    }
}
