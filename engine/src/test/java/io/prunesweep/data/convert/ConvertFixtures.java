package io.prunesweep.data.convert;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Small hand-made COCO, VOC and KITTI sources, written into a test's temporary folder, with the
 * awkward cases: non-contiguous COCO ids, a crowd box, a VOC difficult object, KITTI DontCare and a
 * truncated box at the image edge, an image without objects, a box outside the image.
 */
public final class ConvertFixtures {
    private ConvertFixtures() {}

    public static void image(Path file, int w, int h, String format) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(0, 0, 0xFF0000);
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IOException("no writer for " + format);
        }
    }

    /**
     * COCO folder: categories listed out of order with ids 90, 1, 3 (toothbrush, person, car).
     * Train image a.png (100x80): a person [10,20,30,40], a crowd car, a toothbrush crossing the
     * bottom-right corner, a car outside the image, a zero-width car; b.png without objects. Val
     * c.png: one car covering the image.
     */
    public static Path coco(Path root) throws IOException {
        Path src = root.resolve("coco");
        image(src.resolve("images/train2017/a.png"), 100, 80, "png");
        image(src.resolve("images/train2017/b.png"), 100, 80, "png");
        image(src.resolve("images/val2017/c.png"), 100, 80, "png");
        String cats =
                """
                "categories": [{"id": 90, "name": "toothbrush"}, {"id": 1, "name": "person"},
                               {"id": 3, "name": "car"}]""";
        Files.createDirectories(src.resolve("annotations"));
        Files.writeString(
                src.resolve("annotations/instances_train2017.json"),
                """
                {"images": [{"id": 7, "file_name": "a.png", "width": 100, "height": 80},
                            {"id": 8, "file_name": "b.png", "width": 100, "height": 80}],
                 "annotations": [
                   {"id": 1, "image_id": 7, "category_id": 1, "bbox": [10, 20, 30, 40], "iscrowd": 0},
                   {"id": 2, "image_id": 7, "category_id": 3, "bbox": [0, 0, 50, 50], "iscrowd": 1},
                   {"id": 3, "image_id": 7, "category_id": 90, "bbox": [90, 70, 20, 20], "iscrowd": 0},
                   {"id": 4, "image_id": 7, "category_id": 3, "bbox": [200, 10, 10, 10], "iscrowd": 0},
                   {"id": 5, "image_id": 7, "category_id": 3, "bbox": [5, 5, 0, 10], "iscrowd": 0}],
                """
                        + cats
                        + "}");
        Files.writeString(
                src.resolve("annotations/instances_val2017.json"),
                """
                {"images": [{"id": 1, "file_name": "c.png", "width": 100, "height": 80}],
                 "annotations": [{"id": 9, "image_id": 1, "category_id": 3, "bbox": [0, 0, 100, 80]}],
                """
                        + cats
                        + "}");
        return src;
    }

    /**
     * VOC folder: 0001 (100x80, train) has a dog, a difficult cat and a person wholly right of the
     * image; 0002 (train) has no objects; 0003 (val) has a cat.
     */
    public static Path voc(Path root) throws IOException {
        Path src = root.resolve("VOC2012");
        for (String id : new String[] {"0001", "0002", "0003"}) {
            image(src.resolve("JPEGImages/" + id + ".jpg"), 100, 80, "jpg");
        }
        Files.createDirectories(src.resolve("Annotations"));
        Files.createDirectories(src.resolve("ImageSets/Main"));
        Files.writeString(src.resolve("ImageSets/Main/train.txt"), "0001\n0002\n");
        Files.writeString(src.resolve("ImageSets/Main/val.txt"), "0003\n");
        Files.writeString(
                src.resolve("Annotations/0001.xml"),
                vocXml(
                        "0001.jpg",
                        obj("dog", 0, 11, 21, 40, 60)
                                + obj("cat", 1, 50, 10, 70, 30)
                                + obj("person", 0, 150, 10, 170, 30)));
        Files.writeString(src.resolve("Annotations/0002.xml"), vocXml("0002.jpg", ""));
        Files.writeString(
                src.resolve("Annotations/0003.xml"),
                vocXml("0003.jpg", obj("cat", 0, 1, 1, 100, 80)));
        return src;
    }

    static String vocXml(String file, String objects) {
        return "<annotation><folder>VOC2012</folder><filename>"
                + file
                + "</filename>"
                + "<size><width>100</width><height>80</height><depth>3</depth></size><segmented>0</segmented>"
                + objects
                + "</annotation>";
    }

    static String obj(String name, int difficult, int x1, int y1, int x2, int y2) {
        return "<object><name>"
                + name
                + "</name><pose>Unspecified</pose><truncated>0</truncated><difficult>"
                + difficult
                + "</difficult><bndbox><xmin>"
                + x1
                + "</xmin><ymin>"
                + y1
                + "</ymin><xmax>"
                + x2
                + "</xmax><ymax>"
                + y2
                + "</ymax></bndbox></object>";
    }

    /**
     * KITTI training folder, images 120x40: 000000 has a Car, a Pedestrian truncated at the right
     * edge (bbox to 125), a DontCare and a Van; 000001 has no objects; 000002 a Cyclist; 000003 and
     * 000004 a Car each.
     */
    public static Path kitti(Path root) throws IOException {
        Path src = root.resolve("training");
        Files.createDirectories(src.resolve("label_2"));
        for (int i = 0; i < 5; i++) {
            image(src.resolve(String.format("image_2/%06d.png", i)), 120, 40, "png");
        }
        String tail = " 1.50 1.60 3.70 1.00 1.50 20.00 0.10";
        Files.writeString(
                src.resolve("label_2/000000.txt"),
                "Car 0.00 0 -1.58 0.00 10.00 50.00 39.99"
                        + tail
                        + "\n"
                        + "Pedestrian 0.50 1 0.20 100.00 5.00 125.00 30.00"
                        + tail
                        + "\n"
                        + "DontCare -1 -1 -10 30.00 5.00 40.00 15.00 -1 -1 -1 -1000 -1000 -1000 -10\n"
                        + "Van 0.00 0 1.00 60.00 10.00 90.00 30.00"
                        + tail
                        + "\n");
        Files.writeString(src.resolve("label_2/000001.txt"), "");
        Files.writeString(
                src.resolve("label_2/000002.txt"),
                "Cyclist 0.00 0 0.00 0.00 0.00 12.00 20.00" + tail + "\n");
        Files.writeString(
                src.resolve("label_2/000003.txt"),
                "Car 0.00 0 0.00 10.00 10.00 20.00 20.00" + tail + "\n");
        Files.writeString(
                src.resolve("label_2/000004.txt"),
                "Car 0.00 0 0.00 30.00 10.00 40.00 20.00" + tail + "\n");
        return src;
    }
}
