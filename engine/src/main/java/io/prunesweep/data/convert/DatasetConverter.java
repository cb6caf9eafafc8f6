package io.prunesweep.data.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.prunesweep.InputException;
import io.prunesweep.data.ImageCodec;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Converts a COCO, Pascal VOC or KITTI object dataset into the ultralytics YOLO layout: images
 * copied to {@code images/{train,val}/}, labels {@code cls cx cy w h} (normalized) in {@code
 * labels/{train,val}/}, list files {@code train.txt}/{@code val.txt} and a {@code data.yaml}. Boxes
 * are clipped to the image; degenerate boxes and boxes wholly outside are dropped; every dropped or
 * changed box is counted by reason in the {@link ConvertReport}.
 */
public final class DatasetConverter {
    static final String CLIPPED = "box clipped to the image";
    static final String OUTSIDE = "box outside the image (dropped)";
    static final String DEGENERATE = "degenerate box, zero or negative width or height (dropped)";
    static final String MISSING_IMAGE = "image file missing (image and its boxes skipped)";

    private DatasetConverter() {}

    /** The result: where {@code data.yaml} is, the class names and what happened to every box. */
    public record Result(Path dataYaml, List<String> names, ConvertReport report) {}

    public static Result convert(ConvertOptions o, Configuration conf) {
        return convert(o, conf, line -> {});
    }

    /**
     * As {@link #convert(ConvertOptions, Configuration)}, with a progress line every 10 s to {@code
     * progress}.
     */
    public static Result convert(
            ConvertOptions o, Configuration conf, java.util.function.Consumer<String> progress) {
        Path src = FileSystems.path(o.src());
        Path out = FileSystems.path(o.out());
        try {
            return convert(o, src, out, conf, progress);
        } catch (IOException e) {
            throw new InputException("data convert: " + e.getMessage(), e);
        }
    }

    private static Result convert(
            ConvertOptions o,
            Path src,
            Path out,
            Configuration conf,
            java.util.function.Consumer<String> progress)
            throws IOException {
        FileSystem outFs = FileSystems.fs(out, conf);
        if (outFs.exists(out)
                && (!outFs.getFileStatus(out).isDirectory() || outFs.listStatus(out).length > 0)) {
            throw new InputException(
                    out + ": already exists and is not an empty folder; choose a new --out");
        }
        if (!FileSystems.fs(src, conf).exists(src)) {
            throw new InputException(src + ": --src does not exist");
        }
        ConvertReport report = new ConvertReport();
        SourceReaders.Read read =
                switch (o.format()) {
                    case COCO -> SourceReaders.coco(src, conf, o, report);
                    case VOC -> SourceReaders.voc(src, conf, report, o);
                    case KITTI -> SourceReaders.kitti(src, conf);
                };
        Classes classes = Classes.of(o, read.vocabulary());
        List<SourceImage> images = seededSplit(read.images(), o);
        Map<String, Set<String>> taken = new LinkedHashMap<>();
        Map<String, StringBuilder> lists = new LinkedHashMap<>();
        FileSystem srcFs = FileSystems.fs(src, conf);
        long lastReport = System.nanoTime();
        int done = 0;
        for (SourceImage im : images) {
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                lastReport = System.nanoTime();
                progress.accept("data convert: " + done + "/" + images.size() + " images");
            }
            done++;
            if (!srcFs.exists(im.image())) {
                report.count(MISSING_IMAGE);
                continue;
            }
            String file = im.image().getName();
            if (!taken.computeIfAbsent(im.split(), k -> new HashSet<>()).add(file)) {
                throw new InputException(
                        im.image()
                                + ": a second image named "
                                + file
                                + " in "
                                + im.split()
                                + "; image file names must be unique per split");
            }
            byte[] bytes = FileSystems.readBytes(im.image(), conf);
            if (im.width() <= 0 || im.height() <= 0) {
                int[] wh = imageSize(bytes);
                if (wh == null) {
                    throw new InputException(im.image() + ": not a readable image");
                }
                im = im.withSize(wh[0], wh[1]);
            }
            String labels = labels(im, classes, o, report);
            String stem = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
            FileSystems.writeAtomically(
                    new Path(out, "images/" + im.split() + "/" + file), conf, s -> s.write(bytes));
            byte[] text = labels.getBytes(StandardCharsets.UTF_8);
            FileSystems.writeAtomically(
                    new Path(out, "labels/" + im.split() + "/" + stem + ".txt"),
                    conf,
                    s -> s.write(text));
            lists.computeIfAbsent(im.split(), k -> new StringBuilder())
                    .append("./images/")
                    .append(im.split())
                    .append('/')
                    .append(file)
                    .append('\n');
            report.wrote(im.split(), (int) labels.chars().filter(c -> c == '\n').count());
        }
        if (report.images("train") == 0) {
            throw new InputException(
                    src
                            + ": no train image could be converted ("
                            + String.join("; ", report.lines())
                            + ")");
        }
        for (Map.Entry<String, StringBuilder> e : lists.entrySet()) {
            byte[] b = e.getValue().toString().getBytes(StandardCharsets.UTF_8);
            FileSystems.writeAtomically(new Path(out, e.getKey() + ".txt"), conf, s -> s.write(b));
        }
        Path yaml = new Path(out, "data.yaml");
        byte[] y =
                dataYaml(o, classes, read.cocoIds(), report.images("val") > 0)
                        .getBytes(StandardCharsets.UTF_8);
        FileSystems.writeAtomically(yaml, conf, s -> s.write(y));
        return new Result(yaml, classes.names, report);
    }

    /**
     * Assigns a split to images without one: sorted by id, shuffled with the seed, the first share
     * to val.
     */
    static List<SourceImage> seededSplit(List<SourceImage> images, ConvertOptions o) {
        List<SourceImage> fixed = new ArrayList<>();
        List<SourceImage> free = new ArrayList<>();
        for (SourceImage im : images) {
            (im.split() == null ? free : fixed).add(im);
        }
        free.sort((a, b) -> a.id().compareTo(b.id()));
        Collections.shuffle(free, new Random(o.seed()));
        int nVal =
                free.size() < 2 ? 0 : Math.max(1, (int) Math.round(o.valFraction() * free.size()));
        for (int i = 0; i < free.size(); i++) {
            fixed.add(free.get(i).withSplit(i < nVal ? "val" : "train"));
        }
        fixed.sort(
                (a, b) ->
                        a.split().equals(b.split())
                                ? a.id().compareTo(b.id())
                                : b.split().compareTo(a.split()));
        return fixed;
    }

    /** The label file text of one image: mapped, clipped, normalized. */
    static String labels(SourceImage im, Classes classes, ConvertOptions o, ConvertReport report) {
        StringBuilder s = new StringBuilder();
        double w = im.width(), h = im.height();
        for (SourceImage.Box b : im.boxes()) {
            int cls = classes.resolve(b, report);
            if (cls < 0) {
                continue;
            }
            if (!(b.x2() > b.x1() && b.y2() > b.y1())) {
                report.count(DEGENERATE);
                continue;
            }
            double x1 = clamp(b.x1(), w),
                    y1 = clamp(b.y1(), h),
                    x2 = clamp(b.x2(), w),
                    y2 = clamp(b.y2(), h);
            if (x2 - x1 <= 0 || y2 - y1 <= 0) {
                report.count(OUTSIDE);
                continue;
            }
            if (x1 != b.x1() || y1 != b.y1() || x2 != b.x2() || y2 != b.y2()) {
                report.count(CLIPPED);
            }
            s.append(
                    String.format(
                            Locale.ROOT,
                            "%d %.6f %.6f %.6f %.6f%n",
                            cls,
                            (x1 + x2) / 2 / w,
                            (y1 + y2) / 2 / h,
                            (x2 - x1) / w,
                            (y2 - y1) / h));
        }
        return s.toString();
    }

    private static double clamp(double v, double max) {
        return Math.min(Math.max(v, 0), max);
    }

    /**
     * Width and height from the image header (ImageIO), else by decoding with OpenCV; null if
     * neither can.
     */
    static int[] imageSize(byte[] bytes) {
        try (var in =
                javax.imageio.ImageIO.createImageInputStream(
                        new java.io.ByteArrayInputStream(bytes))) {
            var readers = javax.imageio.ImageIO.getImageReaders(in);
            if (readers.hasNext()) {
                var r = readers.next();
                try {
                    r.setInput(in);
                    return new int[] {r.getWidth(0), r.getHeight(0)};
                } finally {
                    r.dispose();
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to OpenCV
        }
        var mat = ImageCodec.decodeBgr(bytes);
        if (mat == null) {
            return null;
        }
        int[] wh = {mat.cols(), mat.rows()};
        mat.release();
        return wh;
    }

    private static String dataYaml(
            ConvertOptions o, Classes classes, Map<String, Integer> cocoIds, boolean val)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        StringBuilder y =
                new StringBuilder("# prunesweep data convert --from ")
                        .append(o.format().lower())
                        .append(" --src ")
                        .append(o.src())
                        .append(options(o))
                        .append('\n')
                        .append(
                                "# Images copied into images/{train,val}/, labels in labels/{train,val}/; no `path`: this")
                        .append(" file's folder is the dataset root.\n")
                        .append("train: images/train\n");
        y.append(val ? "val: images/val\n" : "# no val images\n");
        y.append("names:\n");
        for (int c = 0; c < classes.names.size(); c++) {
            y.append("  ")
                    .append(c)
                    .append(": ")
                    .append(json.writeValueAsString(classes.names.get(c)))
                    .append('\n');
        }
        if (cocoIds != null) {
            List<String> ids = new ArrayList<>();
            for (String name : classes.names) {
                List<Integer> from = new ArrayList<>();
                cocoIds.forEach(
                        (n, id) -> {
                            if (o.map().getOrDefault(n, n).equals(name)) {
                                from.add(id);
                            }
                        });
                ids.add(from.size() == 1 ? from.get(0).toString() : from.toString());
            }
            y.append(
                            "# class index i was COCO category_id coco_category_ids[i] (a list where --map merged several)\n")
                    .append("coco_category_ids: [")
                    .append(String.join(", ", ids))
                    .append("]\n");
        }
        return y.toString();
    }

    /** The options that shaped the labels, as command-line flags (for the data.yaml header). */
    static String options(ConvertOptions o) {
        StringBuilder s = new StringBuilder();
        if (o.classes() != null) {
            s.append(" --classes ").append(String.join(",", o.classes()));
        }
        if (!o.map().isEmpty()) {
            s.append(" --map ")
                    .append(
                            String.join(
                                    ",",
                                    new java.util.TreeMap<>(o.map())
                                            .entrySet().stream()
                                                    .map(e -> e.getKey() + "=" + e.getValue())
                                                    .toList()));
        }
        if (!o.drop().isEmpty()) {
            s.append(" --drop ").append(String.join(",", new java.util.TreeSet<>(o.drop())));
        }
        if (o.keepCrowd()) {
            s.append(" --keep-crowd");
        }
        if (o.keepDifficult()) {
            s.append(" --keep-difficult");
        }
        return s.append(
                        String.format(
                                Locale.ROOT,
                                " --val-fraction %s --seed %d",
                                o.valFraction(),
                                o.seed()))
                .toString();
    }

    /** The output classes and how a source name reaches one (or is dropped, or is an error). */
    static final class Classes {
        final List<String> names;
        final Set<String> known;
        final ConvertOptions o;

        private Classes(List<String> names, Set<String> known, ConvertOptions o) {
            this.names = names;
            this.known = known;
            this.o = o;
        }

        static Classes of(ConvertOptions o, List<String> vocabulary) {
            Set<String> mapped = new LinkedHashSet<>();
            for (String v : vocabulary) {
                mapped.add(o.map().getOrDefault(v, v));
            }
            List<String> names;
            Set<String> known;
            if (o.classes() != null) {
                names = o.classes();
                if (o.format() == ConvertOptions.Format.VOC) {
                    known =
                            new HashSet<>(
                                    names); // a VOC folder may hold any names: --classes is the
                    // whole list
                } else {
                    known = mapped;
                    for (String c : names) {
                        if (!mapped.contains(c)) {
                            throw new InputException(
                                    "--classes "
                                            + c
                                            + ": no such "
                                            + (o.format() == ConvertOptions.Format.COCO
                                                    ? "category in the COCO JSON"
                                                    : "KITTI type")
                                            + "; known: "
                                            + String.join(", ", mapped));
                        }
                    }
                }
            } else if (o.format() == ConvertOptions.Format.KITTI) {
                names =
                        SourceReaders.KITTI_DEFAULT.stream()
                                .filter(n -> !o.drop().contains(n))
                                .toList();
                known = mapped;
            } else {
                // COCO: category id order; VOC: sorted (after renaming)
                java.util.stream.Stream<String> kept =
                        mapped.stream().filter(n -> !o.drop().contains(n));
                names =
                        o.format() == ConvertOptions.Format.VOC
                                ? kept.sorted().toList()
                                : kept.toList();
                known = mapped;
            }
            if (names.isEmpty()) {
                throw new InputException("data convert: no class left to keep");
            }
            return new Classes(List.copyOf(names), known, o);
        }

        /** The class index of a box, or -1 when it is dropped (counted); an unknown name throws. */
        int resolve(SourceImage.Box b, ConvertReport report) {
            String name = o.map().getOrDefault(b.name(), b.name());
            if (!name.equals(b.name())) {
                report.count("box renamed " + b.name() + " -> " + name + " (--map)");
            }
            if (o.drop().contains(name)) {
                report.count("box of class " + name + " dropped (--drop)");
                return -1;
            }
            int i = names.indexOf(name);
            if (i >= 0) {
                return i;
            }
            if (known.contains(name)) {
                report.count("box of class " + name + " not in the class list (dropped)");
                return -1;
            }
            throw new InputException(
                    b.where()
                            + ": unknown class '"
                            + name
                            + "' (classes: "
                            + String.join(", ", names)
                            + "); add it to --classes, rename it with --map or drop it with --drop");
        }
    }
}
