package io.prunesweep.prune;

import io.prunesweep.InputException;

/**
 * One pruning request.
 *
 * @param ratio fraction of the prunable channels to remove (global), or of every space's channels (local); null
 *     when a target is given
 * @param targetGflops / targetParams fraction of the original GFLOPs / parameters to reach by searching the ratio
 * @param minChannels no prunable space drops below this (nor below 1); spaces already narrower stay as they are
 * @param roundTo pruned widths are rounded to the nearest multiple of this that respects min_channels
 * @param steps prune in this many steps of increasing ratio (with the step hook between them)
 * @param splitParity C2f/C3k2 halves keep equal widths (so ultralytics' {@code chunk(2)} still fits)
 * @param imgsz image size for the GFLOPs figures and target
 */
public record PruneConfig(Method method, Scope scope, Double ratio, Double targetGflops, Double targetParams,
                          int minChannels, int roundTo, Overrides overrides, int steps, long seed,
                          boolean splitParity, int imgsz) {

    public PruneConfig {
        if (overrides == null) overrides = Overrides.NONE;
    }

    /** Defaults: global scope, min_channels 8, round_to 1, one step, seed 0, split parity on, 640 px. */
    public static PruneConfig of(Method method, double ratio) {
        return new PruneConfig(method, Scope.GLOBAL, ratio, null, null, 8, 1, Overrides.NONE, 1, 0, true, 640);
    }

    public PruneConfig withRatio(double r) {
        return new PruneConfig(method, scope, r, null, null, minChannels, roundTo, overrides, steps, seed, splitParity, imgsz);
    }

    public PruneConfig withScope(Scope s) {
        return new PruneConfig(method, s, ratio, targetGflops, targetParams, minChannels, roundTo, overrides, steps, seed, splitParity, imgsz);
    }

    public PruneConfig withGuards(int min, int round) {
        return new PruneConfig(method, scope, ratio, targetGflops, targetParams, min, round, overrides, steps, seed, splitParity, imgsz);
    }

    public PruneConfig withOverrides(Overrides o) {
        return new PruneConfig(method, scope, ratio, targetGflops, targetParams, minChannels, roundTo, o, steps, seed, splitParity, imgsz);
    }

    public PruneConfig withSteps(int k) {
        return new PruneConfig(method, scope, ratio, targetGflops, targetParams, minChannels, roundTo, overrides, k, seed, splitParity, imgsz);
    }

    public PruneConfig withSplitParity(boolean p) {
        return new PruneConfig(method, scope, ratio, targetGflops, targetParams, minChannels, roundTo, overrides, steps, seed, p, imgsz);
    }

    public PruneConfig withTargets(Double gflops, Double params) {
        return new PruneConfig(method, scope, null, gflops, params, minChannels, roundTo, overrides, steps, seed, splitParity, imgsz);
    }

    /** Checks the settings; bad ones give one {@link InputException} saying what to do. */
    public PruneConfig validate() {
        if (method == null) throw new InputException("no pruning method: use --method " + ImportanceRegistry.choices());
        if (scope == null) throw new InputException("no pruning scope: use --scope global or local");
        int targets = (targetGflops != null ? 1 : 0) + (targetParams != null ? 1 : 0);
        if (ratio != null && targets > 0) {
            throw new InputException("give either --ratio or a target (--target-gflops / --target-params), not both");
        }
        if (targets > 1) throw new InputException("give one target: --target-gflops or --target-params, not both");
        if (ratio == null && targets == 0) {
            throw new InputException("give --ratio (fraction of channels to remove, e.g. 0.3) or --target-gflops / --target-params");
        }
        if (ratio != null && !(ratio >= 0 && ratio < 1)) {
            throw new InputException("--ratio " + ratio + " is outside [0, 1): give the fraction of prunable channels to remove, e.g. 0.3");
        }
        checkTarget("--target-gflops", targetGflops);
        checkTarget("--target-params", targetParams);
        if (minChannels < 1) throw new InputException("--min-channels " + minChannels + " must be at least 1");
        if (roundTo < 1) throw new InputException("--round-to " + roundTo + " must be at least 1");
        if (steps < 1) throw new InputException("--steps " + steps + " must be at least 1");
        if (imgsz < 32) throw new InputException("--imgsz " + imgsz + " must be at least 32");
        return this;
    }

    private static void checkTarget(String name, Double v) {
        if (v != null && !(v > 0 && v <= 1)) {
            throw new InputException(name + " " + v + " must be a fraction of the original in (0, 1], e.g. 0.5");
        }
    }
}
