package io.prunesweep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemsTest {

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static byte[] read(String uri) throws IOException {
        try (InputStream in = FileSystems.open(uri)) {
            return in.readAllBytes();
        }
    }

    @Test
    void localWritesLeaveNoChecksumOrTemporaryFiles(@TempDir Path dir) throws IOException {
        String target = dir.resolve("sub/a.json").toString();
        FileSystems.writeAtomically(target, o -> o.write("first".getBytes(StandardCharsets.UTF_8)));
        FileSystems.writeAtomically(
                target, o -> o.write("second".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("a.json"), names(dir.resolve("sub")));
        assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), read(target));
        // also through a file: URI
        FileSystems.writeAtomically(
                dir.resolve("b.bin").toUri().toString(), o -> o.write(new byte[] {1, 2, 3}));
        assertEquals(List.of("b.bin", "sub"), names(dir));
    }

    @Test
    void overwritingAFileWithAStaleChecksumRemovesIt(@TempDir Path dir) throws IOException {
        // written through Hadoop's checksummed local filesystem, as older versions did: leaves
        // .old.txt.crc
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir.resolve("old.txt").toUri());
        try (OutputStream o = FileSystems.fs(p).create(p, true)) {
            o.write("checksummed".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(names(dir).contains(".old.txt.crc"), names(dir).toString());
        FileSystems.writeAtomically(
                dir.resolve("old.txt").toString(),
                o -> o.write("new".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("old.txt"), names(dir));
        // a checksummed read would fail against the stale .crc; it reads the new bytes
        assertArrayEquals(
                "new".getBytes(StandardCharsets.UTF_8), read(dir.resolve("old.txt").toString()));
    }

    @Test
    void aFailedWriteLeavesNeitherTargetNorTemporaryFile(@TempDir Path dir) throws IOException {
        String target = dir.resolve("c.txt").toString();
        InputException e =
                assertThrows(
                        InputException.class,
                        () ->
                                FileSystems.writeAtomically(
                                        target,
                                        o -> {
                                            o.write(1);
                                            throw new IOException("disk full");
                                        }));
        assertTrue(e.getMessage().startsWith(target + ": cannot write: disk full"), e.getMessage());
        assertEquals(List.of(), names(dir));
        assertFalse(FileSystems.exists(target));
        assertEquals(
                target + ": file not found",
                assertThrows(InputException.class, () -> FileSystems.open(target)).getMessage());
    }

    @Test
    void hadoopConfDirCoreSiteIsRead(@TempDir Path dir) throws IOException {
        Files.writeString(
                dir.resolve("core-site.xml"),
                "<configuration><property><name>fs.s3a.endpoint</name>"
                        + "<value>http://127.0.0.1:9000</value></property></configuration>");
        var conf =
                FileSystems.siteFiles(
                        new org.apache.hadoop.conf.Configuration(false), dir.toString());
        assertEquals("http://127.0.0.1:9000", conf.get("fs.s3a.endpoint"));
        assertEquals(
                null,
                FileSystems.siteFiles(new org.apache.hadoop.conf.Configuration(false), null)
                        .get("fs.s3a.endpoint"));
    }
}
