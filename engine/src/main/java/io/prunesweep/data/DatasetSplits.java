package io.prunesweep.data;

import io.prunesweep.io.FileSystems;

/**
 * The train and val splits of a {@code data.yaml} (any Hadoop URI), scanned once: every image and
 * label counted and checked, so what training skips is known before the first step.
 *
 * @param source the data.yaml (or dataset spec) as the user named it, for messages
 */
public record DatasetSplits(String source, YoloDataset train, YoloDataset val) {

    public static DatasetSplits scan(String dataYaml, int workers) {
        return scan(dataYaml, dataYaml, workers);
    }

    /**
     * Scans {@code dataYaml}; {@code source} is what messages call it (e.g. the {@code shapes:}
     * spec it came from).
     */
    public static DatasetSplits scan(String source, String dataYaml, int workers) {
        DatasetConfig dc = DatasetConfig.load(dataYaml, FileSystems.conf());
        return new DatasetSplits(
                source,
                YoloDataset.scan(dc, "train", FileSystems.conf(), workers),
                YoloDataset.scan(dc, "val", FileSystems.conf(), workers));
    }

    public int nc() {
        return train.nc();
    }

    /** The loud warnings of both splits (no label files, mostly backgrounds), one line each. */
    public java.util.List<String> warnings() {
        java.util.List<String> w = new java.util.ArrayList<>(train.report().warnings());
        w.addAll(val.report().warnings());
        return w;
    }

    /**
     * Training on a split without a single box learns to predict nothing (mAP 0, exit 0): refused
     * unless the caller says it is meant ({@code allowEmpty}).
     */
    public void requireTrainBoxes(boolean allowEmpty, String allowHint) {
        DatasetReport r = train.report();
        if (r.boxes() > 0 || allowEmpty) {
            return;
        }
        throw new io.prunesweep.InputException(
                source
                        + ": the train split has 0 boxes in "
                        + r.images()
                        + " images"
                        + (r.noLabelFiles()
                                ? " (no label files: expected " + r.missingLabel() + ")"
                                : "")
                        + "; training would learn nothing. Fix the labels"
                        + (allowHint == null ? "" : ", or pass " + allowHint));
    }
}
