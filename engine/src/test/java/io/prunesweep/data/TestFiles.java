package io.prunesweep.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.opencv.core.Mat;

/** Writes small dataset files for tests. */
final class TestFiles {
    private TestFiles() {}

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    static Path writeText(Path file, String text) throws IOException {
        return write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static Path writeImage(Path file, Mat bgr) throws IOException {
        String name = file.getFileName().toString();
        return write(file, ImageCodec.encode(bgr, name.substring(name.lastIndexOf('.'))));
    }

    static void writeYaml(Path dir, String train, String val, String names) throws IOException {
        writeText(
                dir.resolve("data.yaml"),
                "train: "
                        + train
                        + "\n"
                        + (val == null ? "" : "val: " + val + "\n")
                        + "names: "
                        + names
                        + "\n");
    }

    static org.apache.hadoop.fs.Path hadoop(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }
}
