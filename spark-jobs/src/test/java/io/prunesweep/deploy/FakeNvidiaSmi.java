package io.prunesweep.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A stand-in for nvidia-smi on PATH: answers the query deploy/gpu/get-gpus.sh makes with a fixed
 * GPU list (index, UUID), or fails like a machine whose driver is not loaded. Any other invocation
 * fails loudly, so a change of the script's query shows up here.
 */
public final class FakeNvidiaSmi {
    private FakeNvidiaSmi() {}

    /** A directory holding nvidia-smi that lists {@code count} GPUs with UUIDs GPU-fake-0 ... */
    public static Path listing(Path dir, int count) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append(i).append(", ").append(uuid(i)).append("\\n");
        }
        return write(
                dir,
                """
                if [ "$*" != "--query-gpu=index,uuid --format=csv,noheader" ]; then
                  echo "fake nvidia-smi: unexpected arguments: $*" >&2; exit 2
                fi
                printf '%s'
                """
                        .formatted(lines));
    }

    /** A directory holding nvidia-smi that fails as it does without a loaded driver. */
    public static Path failing(Path dir) throws IOException {
        return write(
                dir,
                """
                echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."
                exit 9
                """);
    }

    public static String uuid(int index) {
        return "GPU-fake-" + index;
    }

    /** PATH for a script run: the fake first, then the usual system directories. */
    public static String path(Path fakeDir) {
        return fakeDir + ":/usr/local/bin:/usr/bin:/bin";
    }

    private static Path write(Path dir, String body) throws IOException {
        Files.createDirectories(dir);
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    static List<String> addresses(int... indices) {
        return java.util.Arrays.stream(indices).mapToObj(Integer::toString).toList();
    }
}
