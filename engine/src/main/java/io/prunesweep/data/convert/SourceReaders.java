package io.prunesweep.data.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.InputException;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads COCO, Pascal VOC and KITTI sources into {@link SourceImage}s; bad input is one {@link
 * InputException}.
 */
final class SourceReaders {
    /** Every KITTI object type (the devkit's list); other names are unknown classes. */
    static final List<String> KITTI_TYPES =
            List.of(
                    "Car",
                    "Van",
                    "Truck",
                    "Pedestrian",
                    "Person_sitting",
                    "Cyclist",
                    "Tram",
                    "Misc",
                    "DontCare");

    static final List<String> KITTI_DEFAULT = List.of("Car", "Pedestrian", "Cyclist");
    static final String CROWD = "crowd box (iscrowd=1) skipped; --keep-crowd keeps it";
    static final String DIFFICULT = "difficult object skipped; --keep-difficult keeps it";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SourceReaders() {}

    /**
     * What a reader found: images and the class vocabulary in the format's order (COCO: by category
     * id).
     */
    record Read(List<SourceImage> images, List<String> vocabulary, Map<String, Integer> cocoIds) {}

    // ---------------------------------------------------------------- COCO

    static Read coco(Path src, Configuration conf, ConvertOptions o, ConvertReport report)
            throws IOException {
        FileSystem fs = FileSystems.fs(src, conf);
        if (!fs.exists(src)) {
            throw new InputException(src + ": COCO source does not exist");
        }
        List<Path[]> jsons =
                new ArrayList<>(); // {json, images folder candidates...}; split by position
        List<String> splits = new ArrayList<>();
        if (fs.getFileStatus(src).isDirectory()) {
            Path ann = new Path(src, "annotations");
            if (!fs.exists(ann)) {
                throw new InputException(
                        src
                                + ": no annotations/ folder; a COCO source is a folder with"
                                + " annotations/instances_{train,val}*.json and images/, or one instances JSON");
            }
            for (String split : List.of("train", "val")) {
                FileStatus[] found = fs.globStatus(new Path(ann, "instances_" + split + "*.json"));
                if (found == null || found.length == 0) {
                    continue;
                }
                if (found.length > 1) {
                    throw new InputException(
                            ann
                                    + ": "
                                    + found.length
                                    + " files match instances_"
                                    + split
                                    + "*.json; keep one per split");
                }
                Path json = found[0].getPath();
                String set =
                        json.getName()
                                .substring("instances_".length(), json.getName().length() - 5);
                jsons.add(
                        new Path[] {
                            json,
                            new Path(src, "images/" + set),
                            new Path(src, set),
                            new Path(src, "images")
                        });
                splits.add(split);
            }
            if (jsons.isEmpty() || !splits.contains("train")) {
                throw new InputException(
                        ann
                                + ": no instances_train*.json; name the training annotations"
                                + " instances_train<anything>.json (or pass the JSON itself as --src)");
            }
            if (!splits.contains("val")) {
                splits.set(0, null); // one JSON: seeded split
            }
        } else {
            jsons.add(new Path[] {src, new Path(src.getParent(), "images"), src.getParent()});
            splits.add(null);
        }
        List<SourceImage> images = new ArrayList<>();
        TreeMap<Integer, String> categories = null;
        for (int j = 0; j < jsons.size(); j++) {
            Path[] where = jsons.get(j);
            JsonNode root;
            try (InputStream in = FileSystems.fs(where[0], conf).open(where[0])) {
                root = JSON.readTree(in);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new InputException(
                        where[0] + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
            }
            TreeMap<Integer, String> cats = cocoCategories(root, where[0]);
            if (categories == null) {
                categories = cats;
            } else if (!categories.equals(cats)) {
                throw new InputException(
                        where[0]
                                + ": its categories differ from the train JSON's; both splits"
                                + " must use the same categories");
            }
            images.addAll(cocoImages(root, where, splits.get(j), cats, o, report, conf));
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        categories.forEach((id, name) -> ids.put(name, id));
        return new Read(images, List.copyOf(categories.values()), ids);
    }

    private static TreeMap<Integer, String> cocoCategories(JsonNode root, Path json) {
        if (root == null
                || !root.isObject()
                || !root.path("images").isArray()
                || !root.path("annotations").isArray()
                || !root.path("categories").isArray()) {
            throw new InputException(
                    json
                            + ": not a COCO instances JSON (needs `images`, `annotations` and"
                            + " `categories` lists); a results/predictions file cannot be converted");
        }
        TreeMap<Integer, String> cats = new TreeMap<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (JsonNode c : root.get("categories")) {
            if (!c.path("id").canConvertToInt() || !c.path("name").isTextual()) {
                throw new InputException(
                        json + ": a category without an integer `id` and a `name`: " + c);
            }
            String name = c.get("name").asText();
            if (!names.add(name) || cats.put(c.get("id").asInt(), name) != null) {
                throw new InputException(
                        json
                                + ": category id "
                                + c.get("id")
                                + " or name '"
                                + name
                                + "' appears twice");
            }
        }
        if (cats.isEmpty()) {
            throw new InputException(json + ": `categories` is empty");
        }
        return cats;
    }

    private static List<SourceImage> cocoImages(
            JsonNode root,
            Path[] where,
            String split,
            Map<Integer, String> cats,
            ConvertOptions o,
            ConvertReport report,
            Configuration conf)
            throws IOException {
        Path json = where[0];
        Map<Long, List<SourceImage.Box>> boxes = new HashMap<>();
        for (JsonNode a : root.get("annotations")) {
            JsonNode bbox = a.path("bbox");
            if (!a.path("image_id").canConvertToLong()
                    || !a.path("category_id").canConvertToInt()
                    || !bbox.isArray()
                    || bbox.size() != 4) {
                throw new InputException(
                        json
                                + ": annotation "
                                + a.path("id")
                                + " lacks image_id, category_id or a"
                                + " 4-number bbox; not COCO instances");
            }
            int cat = a.get("category_id").asInt();
            String name = cats.get(cat);
            if (name == null) {
                throw new InputException(
                        json
                                + ": annotation "
                                + a.path("id")
                                + " names category_id "
                                + cat
                                + ", which is not in `categories`");
            }
            if (a.path("iscrowd").asInt(0) == 1 && !o.keepCrowd()) {
                report.count(CROWD);
                continue;
            }
            double x = bbox.get(0).asDouble(), y = bbox.get(1).asDouble();
            double w = bbox.get(2).asDouble(), h = bbox.get(3).asDouble();
            boxes.computeIfAbsent(a.get("image_id").asLong(), k -> new ArrayList<>())
                    .add(
                            new SourceImage.Box(
                                    name,
                                    x,
                                    y,
                                    x + w,
                                    y + h,
                                    json.getName() + " annotation " + a.path("id")));
        }
        List<SourceImage> out = new ArrayList<>();
        FileSystem fs = FileSystems.fs(json, conf);
        Path folder = null;
        for (JsonNode im : root.get("images")) {
            if (!im.path("id").canConvertToLong() || !im.path("file_name").isTextual()) {
                throw new InputException(
                        json + ": an image without an integer `id` and a `file_name`: " + im);
            }
            String file = im.get("file_name").asText();
            if (folder == null) { // the first image decides where the image folder is
                for (int i = 1; i < where.length && folder == null; i++) {
                    if (fs.exists(new Path(where[i], file))) {
                        folder = where[i];
                    }
                }
                if (folder == null) {
                    folder = where[1];
                }
            }
            String stem = new Path(file).getName();
            stem = stem.contains(".") ? stem.substring(0, stem.lastIndexOf('.')) : stem;
            out.add(
                    new SourceImage(
                            split,
                            stem,
                            new Path(folder, file),
                            im.path("width").asInt(0),
                            im.path("height").asInt(0),
                            boxes.getOrDefault(im.get("id").asLong(), List.of())));
        }
        return out;
    }

    // ---------------------------------------------------------------- Pascal VOC

    static Read voc(Path src, Configuration conf, ConvertReport report, ConvertOptions o)
            throws IOException {
        FileSystem fs = FileSystems.fs(src, conf);
        Path ann = new Path(src, "Annotations");
        if (!fs.exists(ann)) {
            throw new InputException(
                    src
                            + ": no Annotations/ folder; a VOC source is a VOCdevkit/VOC20xx folder"
                            + " with Annotations/, JPEGImages/ and ImageSets/Main/");
        }
        Map<String, String> splitOf = new LinkedHashMap<>();
        for (String split : List.of("train", "val")) {
            Path list = new Path(src, "ImageSets/Main/" + split + ".txt");
            if (!fs.exists(list)) {
                continue;
            }
            for (String line : FileSystems.readText(list, conf).split("\\R")) {
                if (!line.isBlank()) {
                    splitOf.putIfAbsent(line.strip().split("\\s+")[0], split);
                }
            }
        }
        List<String> ids = new ArrayList<>(splitOf.keySet());
        boolean seeded = ids.isEmpty();
        if (seeded) { // no ImageSets: every annotation, split by seed
            for (FileStatus f : fs.listStatus(ann)) {
                String n = f.getPath().getName();
                if (n.endsWith(".xml")) {
                    ids.add(n.substring(0, n.length() - 4));
                }
            }
            ids.sort(null);
        }
        DocumentBuilder xml = xmlParser();
        java.util.TreeSet<String> vocabulary = new java.util.TreeSet<>();
        List<SourceImage> out = new ArrayList<>();
        for (String id : ids) {
            Path file = new Path(ann, id + ".xml");
            Document doc;
            try (InputStream in = fs.open(file)) {
                doc = xml.parse(in);
            } catch (java.io.FileNotFoundException e) {
                throw new InputException(file + ": listed in ImageSets/Main but missing");
            } catch (org.xml.sax.SAXException e) {
                throw new InputException(file + ": not valid XML (" + e.getMessage() + ")", e);
            }
            Element root = doc.getDocumentElement();
            Element size = child(root, "size");
            int w = size == null ? 0 : intText(child(size, "width"));
            int h = size == null ? 0 : intText(child(size, "height"));
            if (w <= 0 || h <= 0) {
                throw new InputException(
                        file
                                + ": no <size> with a positive <width> and <height>; VOC boxes are"
                                + " normalized by it");
            }
            String imageName = text(child(root, "filename"));
            if (imageName == null || imageName.isBlank()) {
                imageName = id + ".jpg";
            }
            List<SourceImage.Box> boxes = new ArrayList<>();
            NodeList objects = root.getElementsByTagName("object");
            for (int i = 0; i < objects.getLength(); i++) {
                Element obj = (Element) objects.item(i);
                String name = text(child(obj, "name"));
                Element bb = child(obj, "bndbox");
                if (name == null || bb == null) {
                    throw new InputException(
                            file + ": object " + (i + 1) + " has no <name> or <bndbox>");
                }
                name = name.strip();
                String where = file + " object " + (i + 1);
                if ("1".equals(text(child(obj, "difficult"))) && !o.keepDifficult()) {
                    report.count(DIFFICULT);
                    continue;
                }
                vocabulary.add(name); // renamed with --map where the classes are built
                // VOC pixel coordinates are 1-based: ultralytics' VOC.yaml subtracts 1, so do we
                boxes.add(
                        new SourceImage.Box(
                                name,
                                number(bb, "xmin", file) - 1,
                                number(bb, "ymin", file) - 1,
                                number(bb, "xmax", file) - 1,
                                number(bb, "ymax", file) - 1,
                                where));
            }
            out.add(
                    new SourceImage(
                            seeded ? null : splitOf.get(id),
                            id,
                            new Path(src, "JPEGImages/" + imageName),
                            w,
                            h,
                            boxes));
        }
        if (out.isEmpty()) {
            throw new InputException(ann + ": no annotations found");
        }
        return new Read(out, List.copyOf(vocabulary), null);
    }

    private static DocumentBuilder xmlParser() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true); // no XXE
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            return b;
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Element child(Element parent, String tag) {
        if (parent == null) {
            return null;
        }
        for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().strip();
    }

    private static int intText(Element e) {
        try {
            return e == null ? 0 : (int) Math.round(Double.parseDouble(text(e)));
        } catch (NumberFormatException bad) {
            return 0;
        }
    }

    private static double number(Element bb, String tag, Path file) {
        String t = text(child(bb, tag));
        try {
            return Double.parseDouble(t);
        } catch (NullPointerException | NumberFormatException e) {
            throw new InputException(file + ": <bndbox><" + tag + "> is '" + t + "', not a number");
        }
    }

    // ---------------------------------------------------------------- KITTI

    static Read kitti(Path src, Configuration conf) throws IOException {
        FileSystem fs = FileSystems.fs(src, conf);
        Path labels = new Path(src, "label_2");
        if (!fs.exists(labels)) {
            throw new InputException(
                    src
                            + ": no label_2/ folder; a KITTI object source is the training/ folder"
                            + " with label_2/ and image_2/");
        }
        List<Path> files = new ArrayList<>();
        for (FileStatus f : fs.listStatus(labels)) {
            if (f.getPath().getName().endsWith(".txt")) {
                files.add(f.getPath());
            }
        }
        files.sort(null);
        List<SourceImage> out = new ArrayList<>();
        for (Path file : files) {
            String id = file.getName().substring(0, file.getName().length() - 4);
            List<SourceImage.Box> boxes = new ArrayList<>();
            String[] lines = FileSystems.readText(file, conf).split("\\R");
            for (int ln = 0; ln < lines.length; ln++) {
                String line = lines[ln].strip();
                if (line.isEmpty()) {
                    continue;
                }
                String[] t = line.split("\\s+");
                String where = file + ":" + (ln + 1);
                if (t.length != 15 && t.length != 16) {
                    throw new InputException(
                            where
                                    + ": "
                                    + t.length
                                    + " columns; a KITTI object row has 15 (type, truncated, occluded, alpha, 4 bbox, 3"
                                    + " dimensions, 3 location, rotation_y) or 16 with a score");
                }
                double[] b = new double[4];
                for (int i = 0; i < 4; i++) {
                    try {
                        b[i] = Double.parseDouble(t[4 + i]);
                    } catch (NumberFormatException e) {
                        throw new InputException(
                                where + ": bbox value '" + t[4 + i] + "' is not a number");
                    }
                }
                boxes.add(new SourceImage.Box(t[0], b[0], b[1], b[2], b[3], where));
            }
            out.add(
                    new SourceImage(
                            null, id, imageFor(fs, new Path(src, "image_2"), id), 0, 0, boxes));
        }
        if (out.isEmpty()) {
            throw new InputException(labels + ": no .txt label files");
        }
        return new Read(out, KITTI_TYPES, null);
    }

    private static Path imageFor(FileSystem fs, Path dir, String id) throws IOException {
        for (String suffix : List.of(".png", ".jpg", ".jpeg")) {
            Path p = new Path(dir, id + suffix);
            if (fs.exists(p)) {
                return p;
            }
        }
        return new Path(dir, id + ".png");
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
