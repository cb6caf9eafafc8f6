package io.prunesweep.pipeline;

import java.util.List;

/**
 * The outcome of one {@link ScanItem}: the pruned model's size and accuracy on the val split (no
 * finetune). A {@link StageKind#SENSITIVITY} run writes its rows as {@link #FILE} (a JSON list)
 * next to its result.json.
 *
 * @param space the unit's name (its first space)
 * @param members every space pruned with it (split parity partners), including {@code space}
 * @param layers the layers whose convs read or write those channels
 * @param channels the space's width before pruning
 * @param kept its width after pruning
 * @param ratio the ratio asked for
 * @param seconds prune + validate time of this item
 */
public record SensitivityRow(
        String space,
        List<String> members,
        List<Integer> layers,
        int channels,
        int kept,
        double ratio,
        double map50,
        double map50_95,
        double params,
        double gflops,
        double seconds) {
    /** Artifact name and file name of a scan run's rows. */
    public static final String FILE = "sensitivity.json";

    public SensitivityRow {
        members = members == null ? List.of() : List.copyOf(members);
        layers = layers == null ? List.of() : List.copyOf(layers);
    }
}
