package io.prunesweep.notebooks;

import io.prunesweep.sweep.sensitivity.SensitivityTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A sensitivity table with known contents, in the sweep's own schema, beside the sample grid
 * results: three spaces x ratios {0.2, 0.4, 0.6} of a model with mAP50-95 0.50 (bn, lambda 0, seed
 * 0).
 *
 * <pre>
 *   delta        r=0.2   r=0.4   r=0.6    plan at 0.005 / 0.01 / 0.02
 *   2            -0.001  -0.004  -0.030   0.4 / 0.4 / 0.4
 *   4            -0.025  -0.050  -0.100   exclude (all three)
 *   6.cv1[0]     -0.002  -0.015  -0.005   0.2 / 0.2 / 0.6   (dips at 0.4: Li's rule stops there)
 * </pre>
 *
 * No drop lies on a tolerance, so float rounding cannot flip a "within" test.
 */
final class SampleSensitivity {
    private SampleSensitivity() {}

    static void write(SparkSession spark, String output) {
        List<Row> rows = new ArrayList<>();
        add(rows, "v-a", "2", "2", "2,3", 32, new double[] {-0.001, -0.004, -0.030});
        add(rows, "v-a", "4", "4", "4,5", 64, new double[] {-0.025, -0.050, -0.100});
        add(
                rows,
                "v-b",
                "6.cv1[0]",
                "6.cv1[0] 6.cv1[1]",
                "6,7",
                16,
                new double[] {-0.002, -0.015, -0.005});
        spark.createDataFrame(rows, SensitivityTable.SCHEMA)
                .coalesce(1)
                .write()
                .mode(SaveMode.Overwrite)
                .parquet(output + "/tables/sensitivity");
    }

    private static void add(
            List<Row> rows,
            String task,
            String space,
            String members,
            String layers,
            int channels,
            double[] deltas) {
        double[] ratios = {0.2, 0.4, 0.6};
        for (int i = 0; i < ratios.length; i++) {
            double r = ratios[i];
            int kept = channels - (int) Math.floor(r * channels);
            double paramsSaved = r * channels / 1000;
            double gflopsSaved = r * channels / 500;
            rows.add(
                    RowFactory.create(
                            SampleResults.SWEEP_ID,
                            task,
                            "d-sample",
                            0L,
                            0.0,
                            "bn",
                            space,
                            members,
                            layers,
                            channels,
                            kept,
                            r,
                            0.5,
                            0.5 + deltas[i],
                            0.7,
                            deltas[i],
                            100_000.0,
                            100_000.0 * (1 - paramsSaved),
                            paramsSaved,
                            2.0,
                            2.0 * (1 - gflopsSaved),
                            gflopsSaved,
                            1.5));
        }
    }
}
