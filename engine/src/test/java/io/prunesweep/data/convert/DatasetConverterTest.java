package io.prunesweep.data.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.cli.CliRun;
import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.SyntheticShapes;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code data convert} on hand-made COCO, VOC and KITTI fixtures ({@link ConvertFixtures}), through
 * the CLI.
 */
class DatasetConverterTest {
    @TempDir Path tmp;

    private CliRun convert(int expected, String... args) {
        List<String> a = new ArrayList<>(List.of("data", "convert"));
        a.addAll(List.of(args));
        CliRun r = CliRun.of(a.toArray(String[]::new));
        assertEquals(expected, r.code(), r.out() + "\n" + r.err());
        return r;
    }

    private static String label(Path out, String split, String stem) throws IOException {
        return Files.readString(out.resolve("labels/" + split + "/" + stem + ".txt"));
    }

    /** The label of a KITTI image, in whichever split the seeded split put it. */
    private static String anySplit(Path out, String stem) throws IOException {
        for (String split : List.of("train", "val")) {
            Path p = out.resolve("labels/" + split + "/" + stem + ".txt");
            if (Files.exists(p)) {
                return Files.readString(p);
            }
        }
        throw new AssertionError(stem + " not converted");
    }

    @Test
    void cocoMapsNonContiguousIdsSkipsCrowdAndClips() throws Exception {
        Path src = ConvertFixtures.coco(tmp);
        Path out = tmp.resolve("out");
        CliRun r = convert(0, "--from", "coco", "--src", src.toString(), "--out", out.toString());
        assertTrue(r.out().contains("classes (3): person, car, toothbrush"), r.out());
        assertEquals(
                "0 0.250000 0.500000 0.300000 0.500000\n2 0.950000 0.937500 0.100000 0.125000\n",
                label(out, "train", "a"));
        assertEquals("", label(out, "train", "b"));
        assertEquals("1 0.500000 0.500000 1.000000 1.000000\n", label(out, "val", "c"));
        assertTrue(Files.exists(out.resolve("images/train/a.png")));
        assertTrue(r.out().contains("train: 2 images, 1 backgrounds, 2 boxes"), r.out());
        assertTrue(r.out().contains("1 x " + SourceReaders.CROWD), r.out());
        assertTrue(r.out().contains("1 x " + DatasetConverter.CLIPPED), r.out());
        assertTrue(r.out().contains("1 x " + DatasetConverter.OUTSIDE), r.out());
        assertTrue(r.out().contains("1 x " + DatasetConverter.DEGENERATE), r.out());
        String yaml = Files.readString(out.resolve("data.yaml"));
        assertTrue(yaml.contains("coco_category_ids: [1, 3, 90]"), yaml);
        DatasetConfig cfg =
                DatasetConfig.load(out.resolve("data.yaml").toString(), FileSystems.conf());
        assertEquals(List.of("person", "car", "toothbrush"), cfg.names());
        assertEquals(
                0,
                CliRun.of(
                                "data",
                                "check",
                                "--data",
                                out.resolve("data.yaml").toString(),
                                "--warn-only")
                        .code());

        Path kept = tmp.resolve("crowd");
        convert(
                0,
                "--from",
                "coco",
                "--src",
                src.toString(),
                "--out",
                kept.toString(),
                "--keep-crowd",
                "--classes",
                "car");
        assertEquals("0 0.250000 0.312500 0.500000 0.625000\n", label(kept, "train", "a"));
        assertTrue(Files.readString(kept.resolve("data.yaml")).contains("coco_category_ids: [3]"));
    }

    @Test
    void cocoSingleJsonIsSplitBySeed() throws Exception {
        Path src = ConvertFixtures.coco(tmp);
        Path json = src.resolve("annotations/instances_train2017.json");
        Files.copy(json, src.resolve("images/train2017/instances.json"));
        Path out = tmp.resolve("one");
        CliRun r =
                convert(
                        0,
                        "--from",
                        "coco",
                        "--src",
                        src.resolve("images/train2017/instances.json").toString(),
                        "--out",
                        out.toString(),
                        "--val-fraction",
                        "0.5");
        assertTrue(
                r.out().contains("train: 1 images") && r.out().contains("val: 1 images"), r.out());
    }

    @Test
    void vocSkipsDifficultAndSortsClasses() throws Exception {
        Path src = ConvertFixtures.voc(tmp);
        Path out = tmp.resolve("out");
        CliRun r = convert(0, "--from", "voc", "--src", src.toString(), "--out", out.toString());
        assertTrue(r.out().contains("classes (3): cat, dog, person"), r.out());
        // VOC pixels are 1-based: (11, 21, 40, 60) is (10, 20, 39, 59) in 0-based pixels, as
        // ultralytics' VOC.yaml
        assertEquals("1 0.245000 0.493750 0.290000 0.487500\n", label(out, "train", "0001"));
        assertEquals("", label(out, "train", "0002"));
        assertEquals("0 0.495000 0.493750 0.990000 0.987500\n", label(out, "val", "0003"));
        assertTrue(r.out().contains("1 x " + SourceReaders.DIFFICULT), r.out());
        assertTrue(r.out().contains("1 x " + DatasetConverter.OUTSIDE), r.out());
        assertEquals(
                "./images/train/0001.jpg\n./images/train/0002.jpg\n",
                Files.readString(out.resolve("train.txt")));

        Path hard = tmp.resolve("hard");
        convert(
                0,
                "--from",
                "voc",
                "--src",
                src.toString(),
                "--out",
                hard.toString(),
                "--keep-difficult",
                "--classes",
                "dog,cat,person");
        assertEquals(
                "0 0.245000 0.493750 0.290000 0.487500\n1 0.590000 0.237500 0.200000 0.250000\n",
                label(hard, "train", "0001"));

        Path merged = tmp.resolve("merged");
        CliRun m =
                convert(
                        0,
                        "--from",
                        "voc",
                        "--src",
                        src.toString(),
                        "--out",
                        merged.toString(),
                        "--map",
                        "dog=animal,cat=animal");
        assertTrue(m.out().contains("classes (2): animal, person"), m.out());
        assertEquals("0 0.245000 0.493750 0.290000 0.487500\n", label(merged, "train", "0001"));
        assertTrue(m.out().contains("1 x box renamed cat -> animal (--map)"), m.out());
    }

    @Test
    void kittiKeepsThreeClassesClipsTruncatedAndSplitsBySeed() throws Exception {
        Path src = ConvertFixtures.kitti(tmp);
        Path out = tmp.resolve("out");
        CliRun r = convert(0, "--from", "kitti", "--src", src.toString(), "--out", out.toString());
        assertTrue(r.out().contains("classes (3): Car, Pedestrian, Cyclist"), r.out());
        assertEquals(
                "0 0.208333 0.624875 0.416667 0.749750\n1 0.916667 0.437500 0.166667 0.625000\n",
                anySplit(out, "000000"));
        assertEquals("", anySplit(out, "000001"));
        assertTrue(
                r.out().contains("1 x box of class DontCare not in the class list (dropped)"),
                r.out());
        assertTrue(
                r.out().contains("1 x box of class Van not in the class list (dropped)"), r.out());
        assertTrue(r.out().contains("1 x " + DatasetConverter.CLIPPED), r.out());
        assertTrue(
                r.out().contains("train: 4 images") && r.out().contains("val: 1 images"), r.out());

        Path again = tmp.resolve("again");
        CliRun r2 =
                convert(
                        0,
                        "--from",
                        "kitti",
                        "--src",
                        src.toString(),
                        "--out",
                        again.toString(),
                        "--map",
                        "Van=Car",
                        "--drop",
                        "DontCare");
        assertEquals(
                Files.readString(out.resolve("val.txt")),
                Files.readString(again.resolve("val.txt")),
                "same seed, same split");
        assertTrue(anySplit(again, "000000").endsWith("0 0.625000 0.500000 0.250000 0.500000\n"));
        assertTrue(r2.out().contains("1 x box renamed Van -> Car (--map)"), r2.out());
        assertTrue(r2.out().contains("1 x box of class DontCare dropped (--drop)"), r2.out());
    }

    /** One line on stderr, exit 2. */
    private String badInput(String expected, String... args) {
        CliRun r = convert(2, args);
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        return r.err();
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path coco = ConvertFixtures.coco(tmp);
        Path results = tmp.resolve("predictions.json");
        Files.writeString(
                results,
                "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.9}]");
        badInput(
                "not a COCO instances JSON",
                "--from",
                "coco",
                "--src",
                results.toString(),
                "--out",
                tmp.resolve("o1").toString());
        badInput(
                "--classes bicycle: no such category",
                "--from",
                "coco",
                "--src",
                coco.toString(),
                "--out",
                tmp.resolve("o2").toString(),
                "--classes",
                "bicycle");

        Path voc = ConvertFixtures.voc(tmp);
        badInput(
                "0001.xml object 3: unknown class 'person'",
                "--from",
                "voc",
                "--src",
                voc.toString(),
                "--out",
                tmp.resolve("o3").toString(),
                "--classes",
                "cat,dog");
        Files.writeString(
                voc.resolve("Annotations/0002.xml"),
                "<annotation><filename>0002.jpg</filename></annotation>");
        badInput(
                "0002.xml: no <size>",
                "--from",
                "voc",
                "--src",
                voc.toString(),
                "--out",
                tmp.resolve("o4").toString());

        Path kitti = ConvertFixtures.kitti(tmp);
        Files.writeString(
                kitti.resolve("label_2/000003.txt"), "Car 0.00 0 0.00 10.00 10.00 20.00\n");
        badInput(
                "label_2/000003.txt:1: 7 columns",
                "--from",
                "kitti",
                "--src",
                kitti.toString(),
                "--out",
                tmp.resolve("o5").toString());
        Files.writeString(
                kitti.resolve("label_2/000003.txt"), "Tractor 0 0 0 1 1 5 5 1 1 1 1 1 1 1\n");
        badInput(
                "000003.txt:1: unknown class 'Tractor'",
                "--from",
                "kitti",
                "--src",
                kitti.toString(),
                "--out",
                tmp.resolve("o6").toString());
    }

    /**
     * shapes → COCO instances JSON → data convert → the same YOLO labels (to 1e-6, the labels' last
     * digit).
     */
    @Test
    void roundTripThroughCocoGivesTheSameLabels() throws Exception {
        Path synth = tmp.resolve("synth");
        SyntheticShapes.write(
                FileSystems.path(synth.toString()),
                new SyntheticShapes.Options(6, 3, 64, 5, ".png"),
                FileSystems.conf());
        DatasetConfig cfg =
                DatasetConfig.load(synth.resolve("data.yaml").toString(), FileSystems.conf());
        Path coco = tmp.resolve("coco");
        Files.createDirectories(coco.resolve("annotations"));
        for (String split : List.of("train", "val")) {
            Files.writeString(
                    coco.resolve("annotations/instances_" + split + ".json"),
                    CocoInstances.fromYolo(cfg, split, new int[] {1, 5, 9}, FileSystems.conf()));
            Files.createDirectories(coco.resolve("images/" + split));
            try (Stream<Path> s = Files.list(synth.resolve("images/" + split))) {
                for (Path p : s.toList()) {
                    Files.copy(p, coco.resolve("images/" + split + "/" + p.getFileName()));
                }
            }
        }
        Path out = tmp.resolve("out");
        convert(0, "--from", "coco", "--src", coco.toString(), "--out", out.toString());
        assertTrue(
                Files.readString(out.resolve("data.yaml"))
                        .contains("coco_category_ids: [1, 5, 9]"));
        int boxes = 0;
        for (String split : List.of("train", "val")) {
            try (Stream<Path> s = Files.list(synth.resolve("labels/" + split))) {
                for (Path want : s.sorted().toList()) {
                    List<String> a = Files.readAllLines(want);
                    List<String> b =
                            Files.readAllLines(
                                    out.resolve("labels/" + split + "/" + want.getFileName()));
                    assertEquals(a.size(), b.size(), want.toString());
                    for (int i = 0; i < a.size(); i++, boxes++) {
                        String[] x = a.get(i).split(" "), y = b.get(i).split(" ");
                        assertEquals(x[0], y[0], want + ":" + (i + 1));
                        for (int k = 1; k < 5; k++) {
                            assertEquals(
                                    Double.parseDouble(x[k]),
                                    Double.parseDouble(y[k]),
                                    1e-6,
                                    want + ":" + (i + 1));
                        }
                    }
                }
            }
        }
        assertTrue(boxes > 9, "boxes compared: " + boxes);
    }
}
