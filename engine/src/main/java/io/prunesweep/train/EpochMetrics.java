package io.prunesweep.train;

/**
 * One row of a training curve: mean losses of the epoch, learning rate, validation metrics of the
 * EMA model, the BatchNorm gamma distribution (what sparse training drives towards zero) and
 * throughput.
 */
public record EpochMetrics(
        int epoch,
        double boxLoss,
        double clsLoss,
        double dflLoss,
        double lr,
        double map50,
        double map50_95,
        double precision,
        double recall,
        double fitness,
        double sparsityLambda,
        GammaSummary gamma,
        double seconds,
        double imagesPerSecond) {

    public static String csvHeader() {
        return "epoch,box_loss,cls_loss,dfl_loss,lr,map50,map50_95,precision,recall,fitness,lambda,"
                + "gamma_mean_abs,gamma_frac_below_1e-2,gamma_p10,gamma_p50,gamma_p90,seconds,images_per_s";
    }

    public String csvRow() {
        return String.format(
                java.util.Locale.ROOT,
                "%d,%.5f,%.5f,%.5f,%.6g,%.5f,%.5f,%.5f,%.5f,%.5f,%.6g,%.6g,%.5f,%.6g,%.6g,%.6g,%.2f,%.2f",
                epoch,
                boxLoss,
                clsLoss,
                dflLoss,
                lr,
                map50,
                map50_95,
                precision,
                recall,
                fitness,
                sparsityLambda,
                gamma.meanAbs(),
                gamma.fractionBelow(),
                gamma.p10(),
                gamma.p50(),
                gamma.p90(),
                seconds,
                imagesPerSecond);
    }
}
