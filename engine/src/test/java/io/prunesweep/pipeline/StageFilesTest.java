package io.prunesweep.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stage files go through the one atomic-write helper: no .crc beside them, no temporary file after
 * a failure.
 */
class StageFilesTest {
    private final Configuration conf = StageFiles.conf(Map.of());

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void resultAndReportFilesHaveNoChecksumFilesBesideThem(@TempDir Path dir) throws IOException {
        String stage = dir.resolve("stages/points/p-1").toString();
        StageFiles.writeAtomically(
                StageFiles.child(stage, StageFiles.RESULT_JSON), "{\"status\":\"ok\"}", conf);
        StageFiles.writeAtomically(
                StageFiles.child(stage, StageFiles.RESULT_JSON),
                "{\"status\":\"ok\",\"v\":2}",
                conf);
        StageFiles.writeAtomically(
                StageFiles.child(dir.toUri().toString(), "index.html"), new byte[] {1, 2}, conf);
        assertEquals(List.of("result.json"), names(dir.resolve("stages/points/p-1")));
        assertEquals(List.of("index.html", "stages"), names(dir));
        assertEquals(
                "{\"status\":\"ok\",\"v\":2}",
                new String(
                        StageFiles.read(StageFiles.child(stage, "result.json"), conf),
                        StandardCharsets.UTF_8));
    }

    @Test
    void aFailedWriteLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        // the target is a non-empty directory: the write cannot replace it
        Path target = Files.createDirectories(dir.resolve("result.json"));
        Files.writeString(target.resolve("keep"), "x");
        assertThrows(
                IOException.class, () -> StageFiles.writeAtomically(target.toString(), "{}", conf));
        assertEquals(List.of("result.json"), names(dir), "no .result.json.tmp-* left");
        // and a body that fails half-way
        String file = dir.resolve("report.html").toString();
        assertThrows(
                IOException.class,
                () ->
                        FileSystems.writeAtomically(
                                new org.apache.hadoop.fs.Path(file),
                                conf,
                                out -> {
                                    out.write(new byte[100]);
                                    throw new IOException("disk full");
                                }));
        assertEquals(List.of("result.json"), names(dir));
    }

    @Test
    void aLocalPathWithPercentSpaceAndHashWorks(@TempDir Path dir) throws IOException {
        Path odd = Files.createDirectories(dir.resolve("100% done #1 x"));
        String target = odd.resolve("a%20b.json").toString();
        FileSystems.writeAtomically(
                target, o -> o.write("percent".getBytes(StandardCharsets.UTF_8)));
        assertEquals(
                "percent",
                Files.readString(odd.resolve("a%20b.json")),
                "the name is taken literally, not decoded");
        assertTrue(FileSystems.exists(target));
        assertEquals(
                odd.resolve("a%20b.json").toUri(),
                java.nio.file.Paths.get(FileSystems.path(target).toUri()).toUri());
        StageFiles.writeAtomically(StageFiles.child(odd.toString(), "result.json"), "{}", conf);
        assertArrayEquals(
                "{}".getBytes(StandardCharsets.UTF_8),
                StageFiles.read(odd.resolve("result.json").toString(), conf));
        assertEquals(List.of("a%20b.json", "result.json"), names(odd));
    }

    @Test
    void aRelativeLocalPathIsMadeAbsolute() {
        org.apache.hadoop.fs.Path p = FileSystems.path("runs/x%y/out.json");
        assertEquals("file", p.toUri().getScheme());
        assertEquals(
                Path.of("runs/x%y/out.json").toAbsolutePath().toUri().getPath(),
                p.toUri().getPath());
    }

    @Test
    void childJoinsOnce() {
        assertEquals("s3a://b/out/stages", FileSystems.child("s3a://b/out/", "stages"));
        assertEquals("runs/q/stages", FileSystems.child("runs/q", "stages"));
    }
}
