package io.prunesweep.data;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;

/**
 * The folder where datasets made on the fly (generated shapes, converted COCO/VOC/KITTI) live, and
 * how one is put in place: built in a private temp folder, then renamed, so several JVMs starting
 * at once never see half a dataset.
 */
public final class DataCache {
    private DataCache() {}

    /** {@code -Dprunesweep.dataCache}, else {@code <tmp>/prunesweep-data}. */
    public static Path root() {
        String p = System.getProperty("prunesweep.dataCache");
        return p != null
                ? Path.of(p)
                : Path.of(System.getProperty("java.io.tmpdir"), "prunesweep-data");
    }

    /**
     * Renames a finished {@code tmp} folder to {@code dir}; when another JVM got there first, drops
     * {@code tmp}.
     */
    public static void publish(Path tmp, Path dir) throws IOException {
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException
                | FileAlreadyExistsException
                | DirectoryNotEmptyException e) {
            deleteTree(tmp); // another JVM won the race: its copy is identical
        }
    }

    public static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
