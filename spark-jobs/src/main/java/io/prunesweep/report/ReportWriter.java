package io.prunesweep.report;

import io.prunesweep.pipeline.StageFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;

/**
 * Writes the chart files and then {@code index.html} into a directory on any Hadoop filesystem,
 * each under a temporary name renamed when complete; {@code index.html} comes last, so its presence
 * means a whole report.
 */
final class ReportWriter {
    static final String INDEX = "index.html";

    private ReportWriter() {}

    /**
     * @return the URI of the written {@code index.html}
     */
    static String write(String outDir, ReportContent content, String html, Configuration conf) {
        try {
            for (Chart c : content.charts()) {
                StageFiles.writeAtomically(StageFiles.child(outDir, c.fileName()), c.png(), conf);
            }
            String index = StageFiles.child(outDir, INDEX);
            StageFiles.writeAtomically(index, html.getBytes(StandardCharsets.UTF_8), conf);
            return index;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write the report to " + outDir + ": " + e.getMessage(), e);
        }
    }
}
