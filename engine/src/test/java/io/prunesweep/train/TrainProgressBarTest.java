package io.prunesweep.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console shows a bar per epoch with running losses, rate and ETA, then one row of metrics per
 * epoch.
 */
class TrainProgressBarTest {
    @Test
    void barShowsLossesRateAndEtaThenTheEpochRow() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        TrainProgressBar p = new TrainProgressBar(out);
        p.onStart(0, 2, 4, "train: 8 images, no problems");
        p.onDataProblems(List.of("x.txt:3: class 7 >= nc 3, line skipped"));
        for (int b = 0; b < 4; b++) {
            p.onBatch(0, b, 4, 2.5 - 0.1 * b, 1.25, 0.75, 42.0);
            Thread.sleep(30);
        }
        p.onEpoch(
                new EpochMetrics(
                        0,
                        2.2,
                        1.25,
                        0.75,
                        0.001,
                        0.5,
                        0.25,
                        0.6,
                        0.4,
                        0.275,
                        0,
                        GammaSummary.of(new float[] {0.5f}),
                        1.5,
                        42.0));
        p.onEnd();
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("train: 8 images, no problems"), s);
        assertTrue(s.contains("skipped: x.txt:3: class 7 >= nc 3"), s);
        assertTrue(s.contains("epoch 1/2"), s);
        assertTrue(s.contains("4/4"), s);
        assertTrue(
                s.contains("box 2.200 cls 1.250 dfl 0.750 | 42.0 img/s"),
                s); // the last batch's running means
        assertTrue(s.contains("batch/s"), s); // rate
        assertTrue(
                Pattern.compile("\\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\)").matcher(s).find(),
                s); // elapsed / ETA
        assertTrue(
                s.contains(
                        "   1/2    2.2000    1.2500    0.7500    0.6000    0.4000    0.5000    0.2500"),
                s);
    }
}
