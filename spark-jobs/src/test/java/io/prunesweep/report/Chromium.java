package io.prunesweep.report;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Debian's Chromium, headless, as the tests' real browser: the DOM after the page's scripts ran,
 * and a screenshot. Missing Chromium is a test failure that says how to install it, not a silent
 * skip.
 */
final class Chromium {
    static final String SKIP_ENV = "PRUNESWEEP_SKIP_BROWSER";
    private static final List<String> NAMES =
            List.of("chromium", "chromium-browser", "google-chrome");
    private static final long TIMEOUT_SECONDS = 90;
    private static final String HOW =
            "install Debian's package with `sudo apt-get install -y chromium` (or point "
                    + "PRUNESWEEP_CHROMIUM at a Chromium/Chrome binary); set "
                    + SKIP_ENV
                    + "=1 to skip the browser checks "
                    + "on a machine without it.";

    private final Path binary;
    private final Path work;

    private Chromium(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    static boolean skipped() {
        return "1".equals(System.getenv(SKIP_ENV));
    }

    /**
     * Finds Chromium ({@code PRUNESWEEP_CHROMIUM} or the PATH), or fails with how to install it.
     */
    static Chromium find(Path work) {
        String explicit = System.getenv("PRUNESWEEP_CHROMIUM");
        if (explicit != null && !explicit.isBlank()) {
            if (!Files.isExecutable(Path.of(explicit))) {
                throw new AssertionError(
                        "PRUNESWEEP_CHROMIUM=" + explicit + " is not an executable file: " + HOW);
            }
            return new Chromium(Path.of(explicit), work);
        }
        for (String dir :
                System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : NAMES) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return new Chromium(p, work);
                }
            }
        }
        throw new AssertionError(
                "Chromium is not installed (no "
                        + String.join("/", NAMES)
                        + " on the PATH), and "
                        + "the report test looks at the page in a real browser: "
                        + HOW);
    }

    /** The DOM serialized after the load event (the page's own script has run). */
    String dumpDom(Path html, int width, int height) throws Exception {
        Path out = work.resolve("dom-" + System.nanoTime() + ".html");
        run(
                List.of(
                        "--window-size=" + width + "," + height,
                        "--dump-dom",
                        html.toUri().toString()),
                out);
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /**
     * A screenshot of a {@code width} x {@code height} viewport at one device pixel per CSS pixel.
     */
    BufferedImage screenshot(Path html, int width, int height) throws Exception {
        Path png = work.resolve("screenshot-" + System.nanoTime() + ".png");
        run(
                List.of(
                        "--window-size=" + width + "," + height,
                        "--hide-scrollbars",
                        "--screenshot=" + png,
                        html.toUri().toString()),
                work.resolve("screenshot.log"));
        if (!Files.exists(png)) {
            throw new AssertionError("Chromium wrote no screenshot; its log:\n" + log());
        }
        return ImageIO.read(png.toFile());
    }

    private void run(List<String> args, Path stdout) throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                binary.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--no-first-run",
                                "--disable-dev-shm-usage",
                                "--force-device-scale-factor=1",
                                "--virtual-time-budget=10000",
                                "--user-data-dir=" + work.resolve("profile")));
        cmd.addAll(args);
        Process p =
                new ProcessBuilder(cmd)
                        .redirectOutput(stdout.toFile())
                        .redirectError(work.resolve("chromium.log").toFile())
                        .start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(
                    "Chromium did not finish in " + TIMEOUT_SECONDS + " s: " + cmd + "\n" + log());
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(
                    "Chromium exited with " + p.exitValue() + ": " + cmd + "\n" + log());
        }
    }

    private String log() throws IOException {
        Path log = work.resolve("chromium.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }
}
