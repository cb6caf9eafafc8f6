package io.prunesweep.prune;

import io.prunesweep.InputException;

/**
 * One pruning request.
 *
 * @param ratio fraction of the prunable channels to remove (global), or of every space's channels
 *     (local); null when a target is given
 * @param targetGflops / targetParams fraction of the original GFLOPs / parameters to reach by
 *     searching the ratio
 * @param minChannels no prunable space drops below this (nor below 1); spaces already narrower stay
 *     as they are
 * @param roundTo pruned widths are rounded to the nearest multiple of this that respects
 *     min_channels
 * @param steps prune in this many steps of increasing ratio (with the step hook between them)
 * @param splitParity C2f/C3k2 halves keep equal widths (so ultralytics' {@code chunk(2)} still
 *     fits)
 * @param imgsz image size for the GFLOPs figures and target
 */
public record PruneConfig(
        Method method,
        Scope scope,
        Double ratio,
        Double targetGflops,
        Double targetParams,
        int minChannels,
        int roundTo,
        Overrides overrides,
        int steps,
        long seed,
        boolean splitParity,
        int imgsz) {

    public PruneConfig {
        if (overrides == null) {
            overrides = Overrides.NONE;
        }
    }

    /**
     * Defaults: global scope, min_channels 8, round_to 1, one step, seed 0, split parity on, 640
     * px.
     */
    public static PruneConfig of(Method method, double ratio) {
        return builder(method).ratio(ratio).build();
    }

    /** A builder with {@link #of}'s defaults and no ratio or target yet. */
    public static Builder builder(Method method) {
        return new Builder().method(method);
    }

    /** A builder holding this config's values, to change some of them. */
    public Builder toBuilder() {
        return new Builder()
                .method(method)
                .scope(scope)
                .ratio(ratio)
                .targets(targetGflops, targetParams)
                .guards(minChannels, roundTo)
                .overrides(overrides)
                .steps(steps)
                .seed(seed)
                .splitParity(splitParity)
                .imgsz(imgsz);
    }

    /** This config at {@code r}, with any target cleared. */
    public PruneConfig withRatio(double r) {
        return toBuilder().ratio(r).targets(null, null).build();
    }

    public PruneConfig withScope(Scope s) {
        return toBuilder().scope(s).build();
    }

    public PruneConfig withGuards(int min, int round) {
        return toBuilder().guards(min, round).build();
    }

    public PruneConfig withOverrides(Overrides o) {
        return toBuilder().overrides(o).build();
    }

    public PruneConfig withSteps(int k) {
        return toBuilder().steps(k).build();
    }

    public PruneConfig withSplitParity(boolean p) {
        return toBuilder().splitParity(p).build();
    }

    /** This config searching a target, with the ratio cleared. */
    public PruneConfig withTargets(Double gflops, Double params) {
        return toBuilder().ratio(null).targets(gflops, params).build();
    }

    /** Fluent construction of a {@link PruneConfig} (unset values are {@link #of}'s defaults). */
    public static final class Builder {
        private Method method;
        private Scope scope = Scope.GLOBAL;
        private Double ratio;
        private Double targetGflops;
        private Double targetParams;
        private int minChannels = 8;
        private int roundTo = 1;
        private Overrides overrides = Overrides.NONE;
        private int steps = 1;
        private long seed;
        private boolean splitParity = true;
        private int imgsz = 640;

        private Builder() {}

        public Builder method(Method m) {
            method = m;
            return this;
        }

        public Builder scope(Scope s) {
            scope = s;
            return this;
        }

        public Builder ratio(Double r) {
            ratio = r;
            return this;
        }

        public Builder targets(Double gflops, Double params) {
            targetGflops = gflops;
            targetParams = params;
            return this;
        }

        /** {@code min_channels} and {@code round_to}. */
        public Builder guards(int min, int round) {
            minChannels = min;
            roundTo = round;
            return this;
        }

        public Builder overrides(Overrides o) {
            overrides = o;
            return this;
        }

        public Builder steps(int k) {
            steps = k;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        public Builder splitParity(boolean p) {
            splitParity = p;
            return this;
        }

        public Builder imgsz(int px) {
            imgsz = px;
            return this;
        }

        /** The config, not yet validated (see {@link PruneConfig#validate}). */
        public PruneConfig build() {
            return new PruneConfig(
                    method,
                    scope,
                    ratio,
                    targetGflops,
                    targetParams,
                    minChannels,
                    roundTo,
                    overrides,
                    steps,
                    seed,
                    splitParity,
                    imgsz);
        }
    }

    /** Checks the settings; bad ones give one {@link InputException} saying what to do. */
    public PruneConfig validate() {
        if (method == null) {
            throw new InputException(
                    "no pruning method: use --method " + ImportanceRegistry.choices());
        }
        if (scope == null) {
            throw new InputException("no pruning scope: use --scope global or local");
        }
        int targets = (targetGflops != null ? 1 : 0) + (targetParams != null ? 1 : 0);
        if (ratio != null && targets > 0) {
            throw new InputException(
                    "give either --ratio or a target (--target-gflops / --target-params), not both");
        }
        if (targets > 1) {
            throw new InputException(
                    "give one target: --target-gflops or --target-params, not both");
        }
        if (ratio == null && targets == 0) {
            throw new InputException(
                    "give --ratio (fraction of channels to remove, e.g. 0.3) or --target-gflops / --target-params");
        }
        if (ratio != null && !(ratio >= 0 && ratio < 1)) {
            throw new InputException(
                    "--ratio "
                            + ratio
                            + " is outside [0, 1): give the fraction of prunable channels to remove, e.g. 0.3");
        }
        checkTarget("--target-gflops", targetGflops);
        checkTarget("--target-params", targetParams);
        if (minChannels < 1) {
            throw new InputException("--min-channels " + minChannels + " must be at least 1");
        }
        if (roundTo < 1) {
            throw new InputException("--round-to " + roundTo + " must be at least 1");
        }
        if (steps < 1) {
            throw new InputException("--steps " + steps + " must be at least 1");
        }
        if (imgsz < 32) {
            throw new InputException("--imgsz " + imgsz + " must be at least 32");
        }
        return this;
    }

    private static void checkTarget(String name, Double v) {
        if (v != null && !(v > 0 && v <= 1)) {
            throw new InputException(
                    name + " " + v + " must be a fraction of the original in (0, 1], e.g. 0.5");
        }
    }
}
