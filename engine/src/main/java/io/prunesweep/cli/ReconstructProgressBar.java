package io.prunesweep.cli;

import io.prunesweep.prune.reconstruct.ReconstructReport;
import io.prunesweep.prune.reconstruct.Reconstructor;
import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A console progress bar over the convs a reconstruction re-fits (rate, ETA, the last fit). */
final class ReconstructProgressBar implements Reconstructor.Listener, AutoCloseable {
    private final PrintStream out;
    private ProgressBar bar;

    ReconstructProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onConv(int done, int total, ReconstructReport.LayerFit fit) {
        if (bar == null) {
            bar =
                    new ProgressBarBuilder()
                            .setTaskName("reconstruct")
                            .setInitialMax(total)
                            .setStyle(ProgressBarStyle.ASCII)
                            .setConsumer(new ConsoleProgressBarConsumer(out, 120))
                            .setUnit(" conv", 1)
                            .showSpeed()
                            .build();
        }
        bar.stepTo(done);
        bar.setExtraMessage(
                String.format(
                        Locale.ROOT,
                        " %s: error %.4f -> %.4f%s",
                        fit.conv(),
                        fit.relativeBefore(),
                        fit.relativeAfter(),
                        fit.kept() ? " (kept)" : ""));
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
