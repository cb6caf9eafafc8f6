package io.prunesweep.pipeline;

import java.util.List;
import java.util.Map;

/**
 * One stage of one grid point, as handed to a child JVM (serialized as JSON, see {@link
 * StageJson}).
 *
 * @param kind which stage to run
 * @param sweepId the sweep this belongs to
 * @param pointId stable id of this stage's work (a dense, sparse or grid point id)
 * @param settings the point's settings
 * @param inputs artifact URIs this stage starts from: SPARSE and PRUNE_FINETUNE get the previous
 *     stage's checkpoint as {@code inputs.get(0)}; DENSE gets none (or the initial checkpoint)
 * @param outputDir directory URI (any Hadoop filesystem) for this stage's artifacts and {@code
 *     result.json}
 * @param device DJL device to use: "cpu" or "gpu:N" (N as seen by the child, normally 0 when
 *     pinned)
 * @param gpuAddress the GPU address Spark assigned to the task (for the record), null on CPU
 * @param threads intra-op threads the stage may use
 * @param fsConf Hadoop filesystem settings the child needs to reach {@code outputDir} and inputs
 *     (e.g. fs.s3a.endpoint, credentials); never written to any file: a child JVM gets them on its
 *     stdin (see {@link StageMain})
 */
public record StageRequest(
        StageKind kind,
        String sweepId,
        String pointId,
        StageSettings settings,
        List<String> inputs,
        String outputDir,
        String device,
        String gpuAddress,
        int threads,
        Map<String, String> fsConf) {

    public StageRequest {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        fsConf = fsConf == null ? Map.of() : Map.copyOf(fsConf);
    }

    /** The file whose existence marks this stage as done. */
    public String resultUri() {
        return StageFiles.child(outputDir, StageFiles.RESULT_JSON);
    }

    public StageRequest withDevice(String newDevice, String newGpuAddress, int newThreads) {
        return new StageRequest(
                kind,
                sweepId,
                pointId,
                settings,
                inputs,
                outputDir,
                newDevice,
                newGpuAddress,
                newThreads,
                fsConf);
    }

    /**
     * The same request with these filesystem settings on top of its own (settings handed over
     * outside any file).
     */
    public StageRequest withFsConf(Map<String, String> more) {
        Map<String, String> merged = new java.util.LinkedHashMap<>(fsConf);
        merged.putAll(more);
        return new StageRequest(
                kind,
                sweepId,
                pointId,
                settings,
                inputs,
                outputDir,
                device,
                gpuAddress,
                threads,
                merged);
    }

    /** The same request without filesystem settings (they may hold credentials). */
    public StageRequest withoutFsConf() {
        return new StageRequest(
                kind,
                sweepId,
                pointId,
                settings,
                inputs,
                outputDir,
                device,
                gpuAddress,
                threads,
                Map.of());
    }
}
