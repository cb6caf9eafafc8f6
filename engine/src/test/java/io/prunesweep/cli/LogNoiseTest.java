package io.prunesweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.testing.TestJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CPU run of the CLI, in its own JVM with the shipped log4j2.xml: no harmless GPU or Hadoop
 * warnings.
 */
class LogNoiseTest {
    @TempDir Path tmp;

    @Test
    void aCpuRunSaysNothingAboutGpusOrNativeHadoop() throws Exception {
        Path log = tmp.resolve("out.log");
        Process p =
                new ProcessBuilder(
                                TestJvm.command(
                                        List.of(),
                                        Main.class.getName(),
                                        List.of(
                                                "prune",
                                                "--model",
                                                "yolov8",
                                                "--scale",
                                                "n",
                                                "--nc",
                                                "2",
                                                "--method",
                                                "l1",
                                                "--ratio",
                                                "0.2",
                                                "--out",
                                                tmp.resolve("p.safetensors").toString())))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        for (String noise :
                List.of("CudaUtils", "Failed to detect GPU count", "NativeCodeLoader")) {
            assertFalse(out.contains(noise), noise + " in:\n" + out);
        }
    }
}
