package io.prunesweep.train;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A console progress bar per epoch (rate, ETA, running losses) and one summary line per epoch. */
public final class TrainProgressBar implements TrainListener {
    private static final int WIDTH = 140;
    private final PrintStream out;
    private ProgressBar bar;
    private int epochs;

    public TrainProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStart(int startEpoch, int epochs, int batchesPerEpoch, String summary) {
        this.epochs = epochs;
        out.println(summary);
        out.printf(
                "%6s %9s %9s %9s %9s %9s %9s %9s%n",
                "epoch", "box", "cls", "dfl", "P", "R", "mAP50", "mAP50-95");
    }

    @Override
    public void onDataProblems(java.util.List<String> examples) {
        examples.forEach(e -> out.println("  skipped: " + e));
    }

    @Override
    public void onBatch(
            int epoch, int batch, int batches, double box, double cls, double dfl, double ips) {
        if (bar == null) {
            bar =
                    new ProgressBarBuilder()
                            .setTaskName(
                                    String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs))
                            .setInitialMax(batches)
                            .setStyle(ProgressBarStyle.ASCII)
                            .setConsumer(consumer())
                            .setUnit(" batch", 1)
                            .showSpeed()
                            .build();
        }
        bar.stepTo(batch + 1);
        bar.setExtraMessage(
                String.format(
                        Locale.ROOT,
                        " box %.3f cls %.3f dfl %.3f | %.1f img/s",
                        box,
                        cls,
                        dfl,
                        ips));
    }

    /**
     * The terminal's width on a console; otherwise (a log, a pipe) wide enough that the losses are
     * not cut off.
     */
    private ConsoleProgressBarConsumer consumer() {
        return out == System.out && System.console() != null
                ? new ConsoleProgressBarConsumer(out)
                : new ConsoleProgressBarConsumer(out, WIDTH);
    }

    @Override
    public void onEpoch(EpochMetrics m) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        out.printf(
                Locale.ROOT,
                "%6s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f%n",
                (m.epoch() + 1) + "/" + epochs,
                m.boxLoss(),
                m.clsLoss(),
                m.dflLoss(),
                m.precision(),
                m.recall(),
                m.map50(),
                m.map50_95());
    }

    @Override
    public void onEnd() {
        if (bar != null) {
            bar.close();
        }
    }
}
