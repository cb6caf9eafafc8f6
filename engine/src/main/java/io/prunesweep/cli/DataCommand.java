package io.prunesweep.cli;

import io.prunesweep.data.Batch;
import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.DatasetReport;
import io.prunesweep.data.DetectionLoader;
import io.prunesweep.data.SyntheticShapes;
import io.prunesweep.data.YoloDataset;
import io.prunesweep.data.convert.ConvertOptions;
import io.prunesweep.data.convert.DatasetConverter;
import io.prunesweep.io.FileSystems;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code prunesweep data synth|check|bench|convert|stats}: make, validate, time, convert and
 * describe YOLO datasets.
 */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description =
                "YOLO datasets: generate synthetic shapes, check labels and images, benchmark the loader,"
                        + " convert COCO, Pascal VOC and KITTI.",
        subcommands = {
            DataCommand.Synth.class,
            DataCommand.Check.class,
            DataCommand.Bench.class,
            DataCommand.Convert.class,
            DataCommand.Stats.class
        })
public final class DataCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "synth",
            mixinStandardHelpOptions = true,
            description =
                    "Write a deterministic synthetic dataset (circle, rectangle, triangle) with data.yaml.")
    public static final class Synth implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--out",
                required = true,
                description = "Output folder (any Hadoop path or URI).")
        String out;

        @Option(
                names = "--train",
                defaultValue = "64",
                description = "Train images (default ${DEFAULT-VALUE}).")
        int train;

        @Option(
                names = "--val",
                defaultValue = "16",
                description = "Val images (default ${DEFAULT-VALUE}).")
        int val;

        @Option(
                names = "--imgsz",
                defaultValue = "320",
                description = "Long image side (default ${DEFAULT-VALUE}).")
        int imgsz;

        @Option(
                names = "--seed",
                defaultValue = "0",
                description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(
                names = "--format",
                defaultValue = "jpg",
                description = "jpg or png (default ${DEFAULT-VALUE}).")
        String format;

        @Override
        public Integer call() throws Exception {
            SyntheticShapes.Options opts;
            try {
                opts =
                        new SyntheticShapes.Options(
                                train, val, imgsz, seed, "." + format.toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new io.prunesweep.InputException("data synth: " + e.getMessage());
            }
            long t0 = System.nanoTime();
            SyntheticShapes.Written w =
                    SyntheticShapes.write(FileSystems.path(out), opts, FileSystems.conf());
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "wrote %d train + %d val images (%d boxes, %d px, seed %d) in %.1f s%ndata: %s%n",
                            w.trainImages(),
                            w.valImages(),
                            w.boxes(),
                            imgsz,
                            seed,
                            (System.nanoTime() - t0) / 1e9,
                            w.dataYaml());
            return 0;
        }
    }

    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description =
                    "Scan every image and label of a dataset and report what would be skipped.")
    public static final class Check implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--data",
                required = true,
                description = "Dataset YAML (ultralytics data.yaml).")
        String data;

        @Option(
                names = "--workers",
                defaultValue = "2",
                description = "Scan threads (default ${DEFAULT-VALUE}).")
        int workers;

        @Option(
                names = "--warn-only",
                description = "Exit 0 even when images or label lines would be skipped.")
        boolean warnOnly;

        @Override
        public Integer call() {
            Configuration conf = FileSystems.conf();
            DatasetConfig cfg = DatasetConfig.load(data, conf);
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                    "dataset: "
                            + cfg.source()
                            + " ("
                            + cfg.nc()
                            + " classes: "
                            + String.join(", ", cfg.names())
                            + ")");
            int images = 0;
            int lines = 0;
            int labelFiles = 0;
            List<String> unlabeled = new ArrayList<>();
            for (String split : new String[] {"train", "val"}) {
                if (cfg.split(split).isEmpty()) {
                    continue;
                }
                DatasetReport r = YoloDataset.scan(cfg, split, conf, workers).report();
                out.println(r.summary());
                r.totals().forEach(t -> out.println("  " + t));
                r.examples().forEach(e -> out.println("  " + e));
                if (r.moreProblems() > 0) {
                    out.println("  ... and " + r.moreProblems() + " more");
                }
                r.warnings().forEach(out::println);
                images += r.skippedImages();
                lines += r.skippedLines();
                labelFiles += r.unreadableLabels();
                if (r.noLabelFiles()) {
                    unlabeled.add(split);
                }
            }
            out.flush();
            List<String> wrong = new ArrayList<>();
            if (images + lines + labelFiles > 0) {
                List<String> what = new ArrayList<>();
                count(what, images, "image");
                count(what, lines, "label line");
                count(what, labelFiles, "unreadable label file");
                wrong.add("would skip " + String.join(", ", what));
            }
            if (!unlabeled.isEmpty()) {
                wrong.add("no label files in " + String.join(" and ", unlabeled));
            }
            if (wrong.isEmpty()) {
                return 0;
            }
            String line = "data check: " + data + ": " + String.join("; ", wrong);
            if (warnOnly) {
                out.println("warning: " + line + "; --warn-only, exit 0");
                return 0;
            }
            throw new io.prunesweep.InputException(
                    line + "; fix the data, or pass --warn-only to accept it");
        }

        private static void count(List<String> what, int n, String thing) {
            if (n > 0) {
                what.add(n + " " + thing + (n == 1 ? "" : "s"));
            }
        }
    }

    @Command(
            name = "bench",
            mixinStandardHelpOptions = true,
            description =
                    "Time the training loader (mosaic + affine + HSV + flip) in samples per second.")
    public static final class Bench implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--data", required = true, description = "Dataset YAML.")
        String data;

        @Option(
                names = "--imgsz",
                defaultValue = "640",
                description = "Batch image size (default ${DEFAULT-VALUE}).")
        int imgsz;

        @Option(
                names = "--batch",
                defaultValue = "16",
                description = "Batch size (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(
                names = "--workers",
                defaultValue = "2",
                description = "Loader threads (default ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--cache", description = "Keep decoded images in RAM.")
        boolean cache;

        @Option(names = "--no-mosaic", description = "Letterbox + affine instead of mosaic.")
        boolean noMosaic;

        @Option(
                names = "--batches",
                defaultValue = "40",
                description = "Batches timed (default ${DEFAULT-VALUE}).")
        int batches;

        @Option(
                names = "--warmup",
                defaultValue = "5",
                description = "Batches before timing (default ${DEFAULT-VALUE}).")
        int warmup;

        @Override
        public Integer call() {
            Configuration conf = FileSystems.conf();
            DatasetConfig cfg = DatasetConfig.load(data, conf);
            PrintWriter out = spec.commandLine().getOut();
            YoloDataset ds = YoloDataset.scan(cfg, "train", conf, workers);
            out.println(ds.report().summary());
            DetectionLoader.Options opts =
                    DetectionLoader.Options.train(imgsz, batch)
                            .withWorkers(workers)
                            .withCache(cache);
            if (noMosaic) {
                opts = opts.withAugment(opts.augment().withMosaic(0));
            }
            long t0 = System.nanoTime();
            try (DetectionLoader loader = new DetectionLoader(ds, opts)) {
                if (cache) {
                    out.printf(
                            Locale.ROOT,
                            "cache: %.0f MB in %.1f s%n",
                            loader.cachedBytes() / 1e6,
                            (System.nanoTime() - t0) / 1e9);
                }
                int seen = 0;
                int samples = 0;
                long start = 0;
                long cpuStart = 0;
                int total = warmup + 1 + batches; // the clock starts when batch `warmup` arrives
                for (int epoch = 0; seen < total; epoch++) {
                    try (DetectionLoader.Epoch it = loader.epoch(epoch)) {
                        while (it.hasNext() && seen < total) {
                            Batch b = it.next();
                            if (seen == warmup) {
                                start = System.nanoTime();
                                cpuStart = processCpuNanos();
                            } else if (seen > warmup) {
                                samples += b.size();
                            }
                            seen++;
                        }
                    }
                }
                double secs = (System.nanoTime() - start) / 1e9;
                double cpuSecs = (processCpuNanos() - cpuStart) / 1e9;
                // CPU seconds make "per core" meaningful on a machine shared with other jobs
                out.printf(
                        Locale.ROOT,
                        "bench: %d samples in %.2f s = %.1f samples/s; %.2f CPU s = %.1f samples per"
                                + " CPU-second; %d workers, %d cores, %d px, batch %d, mosaic %s, cache %s%n",
                        samples,
                        secs,
                        samples / secs,
                        cpuSecs,
                        samples / cpuSecs,
                        workers,
                        Runtime.getRuntime().availableProcessors(),
                        imgsz,
                        batch,
                        noMosaic ? "off" : "on",
                        cache ? "on" : "off");
            }
            return 0;
        }

        private static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean)
                            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }
    }

    @Command(
            name = "convert",
            mixinStandardHelpOptions = true,
            description =
                    "Convert a COCO, Pascal VOC or KITTI object dataset to YOLO labels + data.yaml"
                            + " (images are copied).")
    public static final class Convert implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--from", required = true, description = "coco, voc or kitti.")
        String from;

        @Option(
                names = "--src",
                required = true,
                description =
                        "Source: COCO folder (annotations/instances_{train,val}*.json"
                                + " + images/) or one instances JSON; VOC folder (Annotations/, JPEGImages/, ImageSets/Main/);"
                                + " KITTI training/ folder (label_2/, image_2/). Any Hadoop path or URI.")
        String src;

        @Option(
                names = "--out",
                required = true,
                description = "New output folder (any Hadoop path or URI).")
        String out;

        @Option(
                names = "--classes",
                split = ",",
                description =
                        "Output classes in order (default: COCO categories by"
                                + " id, VOC names sorted, KITTI Car,Pedestrian,Cyclist).")
        List<String> classes;

        @Option(
                names = "--map",
                split = ",",
                description = "Rename classes first, e.g. Van=Car,Truck=Car.")
        List<String> map;

        @Option(
                names = "--drop",
                split = ",",
                description = "Drop boxes of these classes, e.g. DontCare,Misc.")
        List<String> drop;

        @Option(
                names = "--keep-crowd",
                description = "COCO: keep iscrowd=1 boxes (skipped by default).")
        boolean keepCrowd;

        @Option(
                names = "--keep-difficult",
                description = "VOC: keep difficult objects (skipped by default).")
        boolean keepDifficult;

        @Option(
                names = "--val-fraction",
                defaultValue = "0.2",
                description =
                        "Val share where the source has no val"
                                + " split (KITTI, one COCO JSON, VOC without ImageSets); default ${DEFAULT-VALUE}.")
        double valFraction;

        @Option(
                names = "--seed",
                defaultValue = "0",
                description = "Seed of that split (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            ConvertOptions o =
                    new ConvertOptions(
                            ConvertOptions.Format.parse(from),
                            src,
                            out,
                            classes,
                            ConvertOptions.parseMap(map),
                            drop == null ? Set.of() : new HashSet<>(drop),
                            keepCrowd,
                            keepDifficult,
                            valFraction,
                            seed);
            PrintWriter err = spec.commandLine().getErr();
            var r =
                    DatasetConverter.convert(
                            o,
                            FileSystems.conf(),
                            line -> {
                                err.println(line);
                                err.flush();
                            });
            PrintWriter pw = spec.commandLine().getOut();
            pw.println("classes (" + r.names().size() + "): " + String.join(", ", r.names()));
            r.report().lines().forEach(pw::println);
            pw.printf(
                    Locale.ROOT,
                    "converted in %.1f s%ndata: %s%n",
                    (System.nanoTime() - t0) / 1e9,
                    r.dataYaml());
            return 0;
        }
    }

    @Command(
            name = "stats",
            mixinStandardHelpOptions = true,
            description =
                    "Boxes and images per class and COCO box sizes (small < 32², medium < 96², large; pixels"
                            + " of the original image), as a table and a PNG chart.")
    public static final class Stats implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--data",
                required = true,
                description = "Dataset YAML (ultralytics data.yaml).")
        String data;

        @Option(
                names = "--out",
                description = "The chart (PNG); default stats.png beside the dataset YAML.")
        String out;

        @Option(
                names = "--workers",
                defaultValue = "2",
                description = "Scan threads (default ${DEFAULT-VALUE}).")
        int workers;

        @Override
        public Integer call() throws Exception {
            Configuration conf = FileSystems.conf();
            DatasetConfig cfg = DatasetConfig.load(data, conf);
            PrintWriter pw = spec.commandLine().getOut();
            pw.println("dataset: " + cfg.source() + " (" + cfg.nc() + " classes)");
            List<io.prunesweep.data.DatasetStats> all = new ArrayList<>();
            for (String split : new String[] {"train", "val"}) {
                if (cfg.split(split).isEmpty()) {
                    continue;
                }
                YoloDataset ds = YoloDataset.scan(cfg, split, conf, workers);
                io.prunesweep.data.DatasetStats st = io.prunesweep.data.DatasetStats.of(ds);
                all.add(st);
                if (!ds.report().clean()) {
                    pw.println(ds.report().summary() + " (see data check)");
                }
                st.table().forEach(pw::println);
            }
            Path chart =
                    out != null
                            ? FileSystems.path(out)
                            : new Path(cfg.source().getParent(), "stats.png");
            String title =
                    "boxes per class by size: "
                            + cfg.source().getParent().getName()
                            + "/"
                            + cfg.source().getName();
            io.prunesweep.data.DatasetStats.writeChart(all, title, chart, conf);
            pw.println("chart: " + chart);
            return 0;
        }
    }
}
