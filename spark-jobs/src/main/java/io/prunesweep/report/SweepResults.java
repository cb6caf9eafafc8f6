package io.prunesweep.report;

import java.util.List;

/** The two tables of a sweep as read by {@link ResultsReader}; {@code source} is the tables URI. */
public record SweepResults(String source, List<PointRecord> points, List<EpochRecord> epochs) {
    public SweepResults {
        points = List.copyOf(points);
        epochs = List.copyOf(epochs);
    }
}
