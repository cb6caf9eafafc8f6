package io.prunesweep.data;

import io.prunesweep.InputException;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.opencv.core.Mat;

/**
 * One scanned split of a YOLO dataset: the usable images with their validated labels, and the
 * {@link DatasetReport} of what was skipped. Scanning decodes every image once (in parallel) so
 * unreadable and truncated files are found before training starts, not in the middle of an epoch.
 */
public final class YoloDataset {
    /** Example messages kept per report. */
    public static final int MAX_EXAMPLES = 10;

    private final String split;
    private final List<String> names;
    private final List<LabeledImage> images;
    private final DatasetReport report;
    private final Configuration conf;

    YoloDataset(
            String split,
            List<String> names,
            List<LabeledImage> images,
            DatasetReport report,
            Configuration conf) {
        this.split = split;
        this.names = List.copyOf(names);
        this.images = List.copyOf(images);
        this.report = report;
        this.conf = conf;
    }

    /** Scans {@code split} ("train" or "val") of a dataset YAML with {@code workers} threads. */
    public static YoloDataset scan(
            DatasetConfig config, String split, Configuration conf, int workers) {
        List<Path> sources = config.split(split);
        if (sources.isEmpty()) {
            throw new InputException(
                    config.source() + ": no `" + split + "` entry; add an image folder or list");
        }
        return scan(split, sources, config.names(), conf, workers);
    }

    public static YoloDataset scan(
            String split, List<Path> sources, List<String> names, Configuration conf, int workers) {
        List<Path> files = new ArrayList<>();
        for (Path source : sources) {
            try {
                files.addAll(DatasetFiles.listImages(source, conf));
            } catch (IOException e) {
                throw new InputException(
                        source + ": cannot list images (" + e.getMessage() + ")", e);
            }
        }
        if (files.isEmpty()) {
            throw new InputException(
                    sources + ": no images found (suffixes " + DatasetFiles.IMAGE_SUFFIXES + ")");
        }
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        Math.max(1, workers),
                        r -> {
                            Thread t = new Thread(r, "dataset-scan");
                            t.setDaemon(true);
                            return t;
                        });
        try {
            List<Future<Checked>> futures = new ArrayList<>(files.size());
            for (Path f : files) {
                futures.add(pool.submit(() -> check(split, f, names.size(), conf)));
            }
            DatasetReport.Builder report = new DatasetReport.Builder(split, MAX_EXAMPLES);
            List<LabeledImage> images = new ArrayList<>();
            for (Future<Checked> fu : futures) {
                Checked c = fu.get();
                report.add(c.report());
                if (c.image() != null) {
                    images.add(c.image());
                }
            }
            if (images.isEmpty()) {
                throw new InputException(
                        sources
                                + ": none of the "
                                + files.size()
                                + " images is usable; "
                                + report.build().summary());
            }
            return new YoloDataset(split, names, images, report.build(), conf);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("dataset scan interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("dataset scan failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private record Checked(LabeledImage image, DatasetReport.Builder report) {}

    private static Checked check(String split, Path image, int nc, Configuration conf) {
        DatasetReport.Builder r = new DatasetReport.Builder(split, MAX_EXAMPLES);
        byte[] bytes;
        try {
            bytes = FileSystems.readBytes(image, conf);
        } catch (IOException e) {
            r.unreadable++;
            r.example(image + ": cannot read (" + e.getMessage() + "), image skipped");
            return new Checked(null, r);
        }
        String cut = ImageCodec.truncation(bytes);
        if (cut != null) {
            r.truncated++;
            r.example(image + ": " + cut + ", image skipped");
            return new Checked(null, r);
        }
        Mat img;
        try {
            img = ImageCodec.decodeBgr(bytes);
        } catch (RuntimeException e) { // OpenCV throws CvException on some corrupt headers
            img = null;
        }
        if (img == null) {
            r.unreadable++;
            r.example(image + ": not a decodable image, skipped");
            return new Checked(null, r);
        }
        int h = img.rows();
        int w = img.cols();
        img.release();
        if (h < 10 || w < 10) { // the ultralytics minimum
            r.unreadable++;
            r.example(image + ": " + w + "x" + h + " is smaller than 10 px, image skipped");
            return new Checked(null, r);
        }
        Path label = DatasetFiles.labelPathFor(image);
        float[] rows = new float[0];
        try {
            if (FileSystems.exists(label, conf)) {
                r.labelFiles++;
                rows =
                        LabelParser.parse(
                                FileSystems.readText(label, conf), nc, label.toString(), r);
            } else {
                r.missingLabel = label.toString();
            }
        } catch (IOException e) {
            r.unreadableLabels++;
            r.example(label + ": cannot read (" + e.getMessage() + "), image kept as background");
        }
        r.images++;
        r.boxes += rows.length / 5;
        if (rows.length == 0) {
            r.backgrounds++;
        }
        return new Checked(new LabeledImage(image, h, w, rows), r);
    }

    public String split() {
        return split;
    }

    public List<String> names() {
        return names;
    }

    public int nc() {
        return names.size();
    }

    public int size() {
        return images.size();
    }

    public LabeledImage get(int i) {
        return images.get(i);
    }

    public List<LabeledImage> images() {
        return images;
    }

    public DatasetReport report() {
        return report;
    }

    public Configuration conf() {
        return conf;
    }
}
