package io.prunesweep.sweep.plan;

import io.prunesweep.pipeline.StageKind;
import io.prunesweep.pipeline.StageSettings;

/**
 * One unit of work of the plan: a dense run (per seed), a sparse run (per seed and lambda) or a
 * prune+finetune+eval run (per grid point).
 *
 * @param kind the stage
 * @param id stable id, a short hash of every setting that shapes this stage's output
 * @param settings the settings handed to the engine (epochs = this stage's epochs)
 * @param inputId the task whose checkpoint this one starts from, null for DENSE
 * @param outputDir where this stage writes its artifacts and result.json
 */
public record StageTask(
        StageKind kind, String id, StageSettings settings, String inputId, String outputDir) {}
