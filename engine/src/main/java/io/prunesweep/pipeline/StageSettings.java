package io.prunesweep.pipeline;

import java.util.Map;

/**
 * Everything a stage needs to know about its grid point. Fields that do not apply to a stage keep
 * their neutral value (lambda 0 for DENSE, method/ratio null/0 before PRUNE_FINETUNE).
 *
 * @param modelYaml ultralytics-format model YAML URI (null when starting from {@code
 *     initialCheckpoint})
 * @param scale model scale letter (n, s, m, l, x), null when the YAML has no scales
 * @param initialCheckpoint checkpoint URI to import instead of training the dense stage from
 *     scratch, or null
 * @param dataset data.yaml URI, or a {@code shapes:...} synthetic dataset spec
 * @param imgsz square input size in pixels
 * @param batch batch size
 * @param epochs epochs of THIS stage (dense, sparse or finetune epochs)
 * @param seed random seed of the point (weights init, data order, random pruning)
 * @param lambda L1 strength on BN gamma for the sparse stage (0 = no sparse stage)
 * @param method channel importance: a registered method (prune/ImportanceRegistry); unstructured is
 *     weight magnitude with dense shapes
 * @param ratio fraction of prunable channels to remove, in [0, 1)
 * @param scope global or local (per layer) ranking
 * @param minChannels no layer drops below this many channels
 * @param roundTo kept widths are rounded to a multiple of this (1 = no rounding)
 * @param train training hyperparameters that differ from ultralytics' defaults, by ultralytics name
 *     ({@code lr0}, {@code optimizer}, {@code warmup_epochs}, ...); empty = the defaults
 * @param reconstruct re-fit the pruned network by least squares on calibration images (feature-map
 *     reconstruction) between pruning and finetuning
 * @param overrides per-layer or per-space exceptions to the ratio ({@code prune.overrides}: layer
 *     index or space name to a ratio or {@code exclude}); empty = none
 * @param scan the (space, ratio) items of a {@link StageKind#SENSITIVITY} run; empty otherwise
 */
public record StageSettings(
        String modelYaml,
        String scale,
        String initialCheckpoint,
        String dataset,
        int imgsz,
        int batch,
        int epochs,
        long seed,
        double lambda,
        String method,
        double ratio,
        String scope,
        int minChannels,
        int roundTo,
        Map<String, String> train,
        Map<String, String> overrides,
        java.util.List<ScanItem> scan,
        boolean reconstruct) {

    public StageSettings {
        train =
                java.util.Collections.unmodifiableMap(
                        new java.util.TreeMap<>(
                                train == null ? Map.of() : train)); // sorted: stable JSON and ids
        overrides =
                java.util.Collections.unmodifiableMap(
                        new java.util.TreeMap<>(overrides == null ? Map.of() : overrides));
        scan = scan == null ? java.util.List.of() : java.util.List.copyOf(scan);
    }

    /**
     * Settings without overrides or scan items (every stage but a sensitivity scan or an overridden
     * point).
     */
    public StageSettings(
            String modelYaml,
            String scale,
            String initialCheckpoint,
            String dataset,
            int imgsz,
            int batch,
            int epochs,
            long seed,
            double lambda,
            String method,
            double ratio,
            String scope,
            int minChannels,
            int roundTo,
            Map<String, String> train) {
        this(
                modelYaml,
                scale,
                initialCheckpoint,
                dataset,
                imgsz,
                batch,
                epochs,
                seed,
                lambda,
                method,
                ratio,
                scope,
                minChannels,
                roundTo,
                train,
                Map.of(),
                java.util.List.of(),
                false);
    }

    /** The same settings with these overrides and scan items. */
    public StageSettings with(Map<String, String> newOverrides, java.util.List<ScanItem> newScan) {
        return new StageSettings(
                modelYaml,
                scale,
                initialCheckpoint,
                dataset,
                imgsz,
                batch,
                epochs,
                seed,
                lambda,
                method,
                ratio,
                scope,
                minChannels,
                roundTo,
                train,
                newOverrides,
                newScan,
                reconstruct);
    }

    /** The same settings with reconstruction on or off. */
    public StageSettings withReconstruct(boolean on) {
        return new StageSettings(
                modelYaml,
                scale,
                initialCheckpoint,
                dataset,
                imgsz,
                batch,
                epochs,
                seed,
                lambda,
                method,
                ratio,
                scope,
                minChannels,
                roundTo,
                train,
                overrides,
                scan,
                on);
    }

    /**
     * A dense stage: {@code epochs} of ordinary training (or 0 to take {@code initialCheckpoint} as
     * it is); no λ, no pruning.
     */
    public static StageSettings dense(
            String modelYaml,
            String scale,
            String initialCheckpoint,
            String dataset,
            int imgsz,
            int batch,
            int epochs,
            long seed,
            Map<String, String> train) {
        return new StageSettings(
                modelYaml,
                scale,
                initialCheckpoint,
                dataset,
                imgsz,
                batch,
                epochs,
                seed,
                0,
                null,
                0,
                null,
                0,
                0,
                train);
    }

    /**
     * These settings as a sparse stage: {@code epochs} of training with L1 on BN γ at {@code
     * lambda}.
     */
    public StageSettings sparse(int epochs, double lambda) {
        return new StageSettings(
                modelYaml,
                scale,
                initialCheckpoint,
                dataset,
                imgsz,
                batch,
                epochs,
                seed,
                lambda,
                null,
                0,
                null,
                0,
                0,
                train);
    }

    /**
     * These settings as a grid point: prune by (method, ratio, scope, guards), then {@code epochs}
     * of finetuning.
     */
    public StageSettings point(
            int epochs,
            double lambda,
            String method,
            double ratio,
            String scope,
            int minChannels,
            int roundTo) {
        return new StageSettings(
                modelYaml,
                scale,
                initialCheckpoint,
                dataset,
                imgsz,
                batch,
                epochs,
                seed,
                lambda,
                method,
                ratio,
                scope,
                minChannels,
                roundTo,
                train);
    }

    /** Settings with ultralytics' default hyperparameters. */
    public StageSettings(
            String modelYaml,
            String scale,
            String initialCheckpoint,
            String dataset,
            int imgsz,
            int batch,
            int epochs,
            long seed,
            double lambda,
            String method,
            double ratio,
            String scope,
            int minChannels,
            int roundTo) {
        this(
                modelYaml,
                scale,
                initialCheckpoint,
                dataset,
                imgsz,
                batch,
                epochs,
                seed,
                lambda,
                method,
                ratio,
                scope,
                minChannels,
                roundTo,
                Map.of(),
                Map.of(),
                java.util.List.of(),
                false);
    }
}
