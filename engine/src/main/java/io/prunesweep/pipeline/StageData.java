package io.prunesweep.pipeline;

import io.prunesweep.InputException;
import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.SyntheticDatasetSpec;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.io.FileSystems;

/** The train and val splits a stage works on, from a data.yaml URI or a {@code shapes:} spec. */
record StageData(String source, YoloDataset train, YoloDataset val) {

    static StageData open(StageSettings s, int workers) {
        String yaml = s.dataset();
        if (SyntheticDatasetSpec.isSpec(yaml)) {
            yaml = SyntheticDatasetSpec.parse(yaml).materialize(SyntheticDatasetSpec.defaultCacheRoot(), s.imgsz())
                    .toString();
        }
        DatasetConfig dc = DatasetConfig.load(yaml, FileSystems.conf());
        if (dc.val().isEmpty()) {
            throw new InputException(s.dataset() + ": has no val split; every stage evaluates on it");
        }
        YoloDataset train = YoloDataset.scan(dc, "train", FileSystems.conf(), workers);
        YoloDataset val = YoloDataset.scan(dc, "val", FileSystems.conf(), workers);
        return new StageData(s.dataset(), train, val);
    }

    int nc() {
        return train.nc();
    }
}
