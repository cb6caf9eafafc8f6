package io.prunesweep.report;

/** One row of the {@code epochs} table, reduced to what the training-curve charts draw. */
public record EpochRecord(
        String stage,
        String stageId,
        Long seed,
        Double lambda,
        String method,
        Double ratio,
        String phase,
        Integer epoch,
        Double boxLoss,
        Double clsLoss,
        Double dflLoss,
        Double map5095) {

    /** box + cls + dfl loss, counting the parts that are present; null when none is. */
    public Double totalLoss() {
        Double sum = null;
        for (Double part : new Double[] {boxLoss, clsLoss, dflLoss}) {
            if (part != null && !part.isNaN()) {
                sum = (sum == null ? 0.0 : sum) + part;
            }
        }
        return sum;
    }
}
