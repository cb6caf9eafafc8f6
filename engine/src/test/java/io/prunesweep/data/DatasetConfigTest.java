package io.prunesweep.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.InputException;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class DatasetConfigTest {
    private static final Path YAML = new Path("hdfs://nn:8020/data/coco8/data.yaml");

    @Test
    void resolvesSplitsAgainstPathAndReadsNamesMap() {
        DatasetConfig c =
                DatasetConfig.parse(
                        YAML,
                        "path: ../coco8\ntrain: images/train\nval: [images/val, s3a://b/extra/images]\n"
                                + "names:\n  1: bicycle\n  0: person\n");
        assertEquals("hdfs://nn:8020/data/coco8", c.root().toString());
        assertEquals(List.of(new Path("hdfs://nn:8020/data/coco8/images/train")), c.train());
        assertEquals(
                List.of(
                        new Path("hdfs://nn:8020/data/coco8/images/val"),
                        new Path("s3a://b/extra/images")),
                c.val());
        assertEquals(List.of("person", "bicycle"), c.names());
        assertEquals(2, c.nc());
    }

    @Test
    void missingPathMeansTheYamlFolder() {
        DatasetConfig c = DatasetConfig.parse(YAML, "train: ./images/train\nnames: [a]\n");
        assertEquals(new Path("hdfs://nn:8020/data/coco8/images/train"), c.train().get(0));
        assertTrue(c.val().isEmpty());
    }

    @Test
    void badYamlNamesTheProblem() {
        InputException noNames =
                assertThrows(InputException.class, () -> DatasetConfig.parse(YAML, "train: x\n"));
        assertTrue(noNames.getMessage().contains("data.yaml: no `names`"), noNames.getMessage());
        InputException gap =
                assertThrows(
                        InputException.class,
                        () -> DatasetConfig.parse(YAML, "train: x\nnames: {0: a, 2: c}\n"));
        assertTrue(gap.getMessage().contains("id 1 is missing"), gap.getMessage());
        InputException nc =
                assertThrows(
                        InputException.class,
                        () -> DatasetConfig.parse(YAML, "train: x\nnc: 3\nnames: [a, b]\n"));
        assertTrue(nc.getMessage().contains("nc is 3 but names lists 2"), nc.getMessage());
    }

    @Test
    void labelPathFollowsTheUltralyticsRule() {
        assertEquals(
                new Path("s3a://b/images/x/labels/val/img.1.txt"),
                DatasetFiles.labelPathFor(new Path("s3a://b/images/x/images/val/img.1.JPG")));
        assertEquals(
                new Path("/d/flat/a.txt"), DatasetFiles.labelPathFor(new Path("/d/flat/a.png")));
    }
}
