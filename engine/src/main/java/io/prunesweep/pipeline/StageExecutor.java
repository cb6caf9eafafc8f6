package io.prunesweep.pipeline;

/**
 * Runs one stage of one grid point. Implementations are found with {@link java.util.ServiceLoader}
 * (register the class in {@code META-INF/services/io.prunesweep.pipeline.StageExecutor}) and run
 * inside a child JVM by {@link StageMain}, one stage per JVM.
 *
 * <p>Contract: write every artifact under {@link StageRequest#outputDir()} (temporary name +
 * rename), put the checkpoint the next stage needs under {@link StageResult#CHECKPOINT}, report
 * metrics with {@link MetricKeys} names. Throwing is fine: StageMain turns it into a failed result.
 * Do not write {@code result.json} yourself.
 */
public interface StageExecutor {
    StageResult run(StageRequest request, ProgressListener progress) throws Exception;
}
