package io.prunesweep.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one stage, written as {@code <outputDir>/result.json}. A stage is done when that
 * file exists with status ok.
 *
 * @param kind the stage that produced it
 * @param pointId the request's point id
 * @param status ok or failed
 * @param error one-paragraph error (for a crash: the tail of the child's stderr), null when ok
 * @param metrics named metrics, see {@link MetricKeys}: {@code before.*} (model going into the
 *     stage), {@code after.*} (model coming out); anything else is kept as an extra metric
 * @param artifacts named artifact URIs; {@link #CHECKPOINT} is what the next stage starts from
 * @param epochs per-epoch training curve rows
 * @param durations seconds per phase (e.g. train, prune, finetune, eval); the supervisor adds
 *     {@code wall}: the child JVM's whole lifetime
 * @param device the device the stage ran on ("cpu", "gpu:0")
 * @param gpuAddress the GPU address Spark assigned, null on CPU
 * @param gpuName the GPU model name, when known
 * @param host host name of the machine that ran it
 * @param startedAt ISO-8601 instant
 * @param finishedAt ISO-8601 instant
 */
public record StageResult(
        StageKind kind,
        String pointId,
        Status status,
        String error,
        Map<String, Double> metrics,
        Map<String, String> artifacts,
        List<EpochRow> epochs,
        Map<String, Double> durations,
        String device,
        String gpuAddress,
        String gpuName,
        String host,
        String startedAt,
        String finishedAt) {

    /** Artifact name of the trained/pruned checkpoint that the next stage starts from. */
    public static final String CHECKPOINT = "checkpoint";

    /** Duration key of the whole child JVM run, filled in by the supervisor. */
    public static final String WALL = "wall";

    public enum Status {
        @JsonProperty("ok")
        OK,
        @JsonProperty("failed")
        FAILED
    }

    public StageResult {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        artifacts = artifacts == null ? Map.of() : Map.copyOf(artifacts);
        epochs = epochs == null ? List.of() : List.copyOf(epochs);
        durations = durations == null ? Map.of() : Map.copyOf(durations);
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** A successful result; the caller (StageMain / supervisor) fills device, host and times. */
    public static StageResult ok(
            StageKind kind,
            String pointId,
            Map<String, Double> metrics,
            Map<String, String> artifacts,
            List<EpochRow> epochs,
            Map<String, Double> durations) {
        return new StageResult(
                kind, pointId, Status.OK, null, metrics, artifacts, epochs, durations, null, null,
                null, null, null, null);
    }

    public static StageResult failed(StageKind kind, String pointId, String error) {
        return new StageResult(
                kind,
                pointId,
                Status.FAILED,
                error,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** Fills where/when it ran, keeping values the executor already set (e.g. its own gpuName). */
    public StageResult withRun(
            String newDevice,
            String newGpuAddress,
            String newHost,
            String newStartedAt,
            String newFinishedAt) {
        return new StageResult(
                kind,
                pointId,
                status,
                error,
                metrics,
                artifacts,
                epochs,
                durations,
                device != null ? device : newDevice,
                gpuAddress != null ? gpuAddress : newGpuAddress,
                gpuName,
                host != null ? host : newHost,
                startedAt != null ? startedAt : newStartedAt,
                finishedAt != null ? finishedAt : newFinishedAt);
    }

    public StageResult withDuration(String phase, double seconds) {
        Map<String, Double> d = new LinkedHashMap<>(durations);
        d.put(phase, seconds);
        return new StageResult(
                kind,
                pointId,
                status,
                error,
                metrics,
                artifacts,
                epochs,
                d,
                device,
                gpuAddress,
                gpuName,
                host,
                startedAt,
                finishedAt);
    }

    public StageResult withGpuName(String name) {
        return new StageResult(
                kind,
                pointId,
                status,
                error,
                metrics,
                artifacts,
                epochs,
                durations,
                device,
                gpuAddress,
                name,
                host,
                startedAt,
                finishedAt);
    }
}
