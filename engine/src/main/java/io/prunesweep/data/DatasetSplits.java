package io.prunesweep.data;

import io.prunesweep.io.FileSystems;

/**
 * The train and val splits of a {@code data.yaml} (any Hadoop URI), scanned once: every image and label counted
 * and checked, so what training skips is known before the first step.
 *
 * @param source the data.yaml (or dataset spec) as the user named it, for messages
 */
public record DatasetSplits(String source, YoloDataset train, YoloDataset val) {

    public static DatasetSplits scan(String dataYaml, int workers) {
        return scan(dataYaml, dataYaml, workers);
    }

    /** Scans {@code dataYaml}; {@code source} is what messages call it (e.g. the {@code shapes:} spec it came from). */
    public static DatasetSplits scan(String source, String dataYaml, int workers) {
        DatasetConfig dc = DatasetConfig.load(dataYaml, FileSystems.conf());
        return new DatasetSplits(source, YoloDataset.scan(dc, "train", FileSystems.conf(), workers),
                YoloDataset.scan(dc, "val", FileSystems.conf(), workers));
    }

    public int nc() {
        return train.nc();
    }
}
