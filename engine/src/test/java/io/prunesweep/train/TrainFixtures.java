package io.prunesweep.train;

import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.SyntheticShapes;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.Scale;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** Small synthetic datasets and models for training tests. */
final class TrainFixtures {
    private TrainFixtures() {}

    static final Configuration CONF = new Configuration();

    /** Writes a SyntheticShapes set under {@code dir} and returns its data.yaml. */
    /**
     * Two short epochs at 64 px that exercise every piece of run state: batch 4 with nbs 8 (an
     * unapplied gradient at the epoch boundary when the batch count is odd), AdamW, no warmup,
     * mosaic to the end, seed 7.
     */
    static TrainConfig twoShortEpochs() {
        return TrainConfig.defaults()
                .with(
                        b -> {
                            b.epochs = 2;
                            b.batch = 4;
                            b.imgsz = 64;
                            b.nbs = 8;
                            b.warmupEpochs = 0;
                            b.closeMosaic = 0;
                            b.optimizer = "AdamW";
                            b.lr0 = 0.002f;
                            b.seed = 7;
                        });
    }

    static DatasetConfig synth(Path dir, int train, int val, int imgsz, long seed)
            throws Exception {
        SyntheticShapes.write(
                hadoop(dir), new SyntheticShapes.Options(train, val, imgsz, seed, ".jpg"), CONF);
        return DatasetConfig.load(hadoop(dir.resolve("data.yaml")), CONF);
    }

    static YoloDataset scan(DatasetConfig config, String split) {
        return YoloDataset.scan(config, split, CONF, 2);
    }

    /** The bundled YOLOv8 at a bundled scale. */
    static ModelGraph yolov8(String scale, int nc) {
        return GraphBuilder.build(ModelDefinition.bundled("yolov8"), scale, nc);
    }

    /**
     * YOLOv8 at a custom scale "t" {@code [depth, width, max_channels]} added through the
     * ModelDefinition API, e.g. {@code (0.33, 0.0625, 1024)}: 8-64 backbone channels, the whole
     * network in a few hundred KB.
     */
    static ModelGraph yolov8Custom(double depth, double width, int maxChannels, int nc) {
        ModelDefinition def = ModelDefinition.bundled("yolov8");
        Map<String, Scale> scales = new LinkedHashMap<>(def.scales());
        scales.put("t", new Scale(depth, width, maxChannels));
        return GraphBuilder.build(
                new ModelDefinition(def.name(), def.source(), def.nc(), scales, def.layers()),
                "t",
                nc);
    }

    static org.apache.hadoop.fs.Path hadoop(Path p) {
        return new org.apache.hadoop.fs.Path(p.toUri());
    }
}
