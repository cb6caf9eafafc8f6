package io.prunesweep.report;

import io.prunesweep.InputException;

/**
 * Where a sweep's tables are, from what the user gave {@code --results}: the sweep's output URI
 * (holding {@code tables/}) or that {@code tables/} directory itself. Any Hadoop URI (local path,
 * hdfs://, s3a://).
 *
 * @param sweepOutput the sweep's output URI
 * @param tablesDir {@code <sweepOutput>/tables}
 */
public record ResultsLocation(String sweepOutput, String tablesDir) {
    static final String TABLES = "tables";

    public static ResultsLocation parse(String results) {
        if (results == null || results.isBlank()) {
            throw new InputException(
                    "--results is empty: give the sweep's output URI (the directory holding "
                            + "tables/points), e.g. --results runs/sweeps/quickstart");
        }
        String r = results.strip();
        while (r.endsWith("/") && !r.endsWith("://") && r.length() > 1) {
            r = r.substring(0, r.length() - 1);
        }
        int slash = r.lastIndexOf('/');
        String last = slash < 0 ? r : r.substring(slash + 1);
        if (last.equals(TABLES) && slash > 0) {
            return new ResultsLocation(r.substring(0, slash), r);
        }
        return new ResultsLocation(r, r + "/" + TABLES);
    }

    public String pointsDir() {
        return tablesDir + "/points";
    }

    public String epochsDir() {
        return tablesDir + "/epochs";
    }

    /** The report's default place: {@code <sweep output>/report}, beside {@code tables/}. */
    public String defaultReportDir() {
        return sweepOutput + "/report";
    }
}
