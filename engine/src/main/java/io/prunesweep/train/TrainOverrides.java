package io.prunesweep.train;

import io.prunesweep.InputException;
import io.prunesweep.data.AugmentConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Training hyperparameters given by their ultralytics names ({@code lr0: 0.002}, {@code optimizer:
 * AdamW}, {@code warmup_epochs: 0}, {@code mosaic: 0.5}, ...), as a sweep YAML's {@code train:}
 * section holds them. What is not named keeps ultralytics' default, so a sweep reads like the
 * {@code yolo train} command it replaces.
 */
public final class TrainOverrides {
    private TrainOverrides() {}

    private interface Setter extends BiConsumer<TrainConfig.Builder, String> {}

    private static final Map<String, Setter> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("optimizer", (b, v) -> b.optimizer = v);
        KEYS.put("lr0", (b, v) -> b.lr0 = f(v));
        KEYS.put("lrf", (b, v) -> b.lrf = f(v));
        KEYS.put("momentum", (b, v) -> b.momentum = f(v));
        KEYS.put("weight_decay", (b, v) -> b.weightDecay = f(v));
        KEYS.put("warmup_epochs", (b, v) -> b.warmupEpochs = f(v));
        KEYS.put("warmup_momentum", (b, v) -> b.warmupMomentum = f(v));
        KEYS.put("warmup_bias_lr", (b, v) -> b.warmupBiasLr = f(v));
        KEYS.put("box", (b, v) -> b.box = f(v));
        KEYS.put("cls", (b, v) -> b.cls = f(v));
        KEYS.put("dfl", (b, v) -> b.dfl = f(v));
        KEYS.put("nbs", (b, v) -> b.nbs = i(v));
        KEYS.put("close_mosaic", (b, v) -> b.closeMosaic = i(v));
        KEYS.put("sparsity_beta", (b, v) -> b.sparsityBeta = f(v));
        KEYS.put("max_grad_norm", (b, v) -> b.maxGradNorm = f(v));
        KEYS.put("cache", (b, v) -> b.cache = bool(v));
        KEYS.put("hsv_h", (b, v) -> b.augment = aug(b.augment, 0, v));
        KEYS.put("hsv_s", (b, v) -> b.augment = aug(b.augment, 1, v));
        KEYS.put("hsv_v", (b, v) -> b.augment = aug(b.augment, 2, v));
        KEYS.put("degrees", (b, v) -> b.augment = aug(b.augment, 3, v));
        KEYS.put("translate", (b, v) -> b.augment = aug(b.augment, 4, v));
        KEYS.put("scale", (b, v) -> b.augment = aug(b.augment, 5, v));
        KEYS.put("shear", (b, v) -> b.augment = aug(b.augment, 6, v));
        KEYS.put("perspective", (b, v) -> b.augment = aug(b.augment, 7, v));
        KEYS.put("flipud", (b, v) -> b.augment = aug(b.augment, 8, v));
        KEYS.put("fliplr", (b, v) -> b.augment = aug(b.augment, 9, v));
        KEYS.put("mosaic", (b, v) -> b.augment = aug(b.augment, 10, v));
    }

    /** The names this accepts, in documentation order. */
    public static List<String> names() {
        return List.copyOf(KEYS.keySet());
    }

    /**
     * {@code base} with the named values replaced; one {@link InputException} listing every bad
     * entry.
     */
    public static TrainConfig apply(TrainConfig base, Map<String, String> values) {
        List<String> p = problems(base, values);
        if (!p.isEmpty()) {
            throw new InputException("train settings: " + String.join("; ", p));
        }
        return base.with(b -> values.forEach((k, v) -> KEYS.get(k).accept(b, v.strip())));
    }

    /**
     * Every problem with {@code values} on top of {@code base}, one line each: unknown names, bad
     * numbers, ranges.
     */
    public static List<String> problems(TrainConfig base, Map<String, String> values) {
        List<String> p = new ArrayList<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            Setter s = KEYS.get(e.getKey());
            if (s == null) {
                p.add(
                        "train."
                                + e.getKey()
                                + " is not a known setting; known: "
                                + String.join(", ", KEYS.keySet()));
                continue;
            }
            try {
                base.with(b -> s.accept(b, e.getValue().strip()));
            } catch (NumberFormatException ex) {
                p.add("train." + e.getKey() + "=" + e.getValue() + " is not a number");
            } catch (IllegalArgumentException ex) {
                p.add("train." + e.getKey() + "=" + e.getValue() + ": " + ex.getMessage());
            }
        }
        if (p.isEmpty()) {
            TrainConfig c =
                    base.with(b -> values.forEach((k, v) -> KEYS.get(k).accept(b, v.strip())));
            c.problems().forEach(x -> p.add("train: " + x));
        }
        return p;
    }

    private static float f(String v) {
        return Float.parseFloat(v);
    }

    private static int i(String v) {
        return Integer.parseInt(v);
    }

    private static boolean bool(String v) {
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("ram")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("must be true or false");
    }

    /** One augmentation value replaced (the record's component order: hsv_h ... mosaic). */
    private static AugmentConfig aug(AugmentConfig a, int index, String v) {
        double[] x = {
            a.hsvH(),
            a.hsvS(),
            a.hsvV(),
            a.degrees(),
            a.translate(),
            a.scale(),
            a.shear(),
            a.perspective(),
            a.flipud(),
            a.fliplr(),
            a.mosaic()
        };
        x[index] = Double.parseDouble(v);
        if (x[index] < 0) {
            throw new IllegalArgumentException("must be >= 0");
        }
        return new AugmentConfig(
                x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], x[10], a.closeMosaic());
    }
}
