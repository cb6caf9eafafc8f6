package io.prunesweep.data;

import io.prunesweep.InputException;
import io.prunesweep.io.FileSystems;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Which files make up a YOLO dataset: the images of a split source and the label file of each
 * image. Reading and writing go through {@link FileSystems} (any Hadoop filesystem: local, {@code
 * hdfs://}, {@code s3a://}).
 */
public final class DatasetFiles {
    /**
     * Image suffixes OpenCV can decode (ultralytics' IMG_FORMATS minus the ones OpenCV cannot
     * read).
     */
    public static final Set<String> IMAGE_SUFFIXES =
            Set.of("bmp", "jpg", "jpeg", "png", "tif", "tiff", "webp");

    private DatasetFiles() {}

    /**
     * The images of one split source: every image file under a directory (recursively), or the
     * lines of a {@code .txt} list (relative lines resolve against the list's folder), or a single
     * image. Sorted by path so the dataset order never depends on the filesystem's listing order.
     */
    public static List<Path> listImages(Path source, Configuration conf) throws IOException {
        FileSystem fs = FileSystems.fs(source, conf);
        if (!fs.exists(source)) {
            throw new InputException(
                    source
                            + ": image folder or list does not exist; check `path`/`train`/`val`"
                            + " in the dataset YAML");
        }
        FileStatus status = fs.getFileStatus(source);
        List<Path> images = new ArrayList<>();
        if (status.isDirectory()) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(source, true);
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                if (f.isFile() && isImage(f.getPath().getName())) {
                    images.add(f.getPath());
                }
            }
        } else if (source.getName().toLowerCase(Locale.ROOT).endsWith(".txt")) {
            Path parent = source.getParent();
            for (String line : FileSystems.readText(source, conf).split("\\R")) {
                String s = line.strip();
                if (s.isEmpty()) {
                    continue;
                }
                if (s.startsWith("./")) {
                    s = s.substring(2);
                }
                Path p = new Path(s);
                images.add(
                        p.isAbsolute() || p.toUri().getScheme() != null ? p : new Path(parent, s));
            }
        } else if (isImage(source.getName())) {
            images.add(source);
        } else {
            throw new InputException(
                    source + ": neither a folder, a .txt list of images nor an image file");
        }
        images.sort((a, b) -> a.toString().compareTo(b.toString()));
        return images;
    }

    public static boolean isImage(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_SUFFIXES.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * The ultralytics rule: replace the last {@code /images/} by {@code /labels/} and the suffix by
     * {@code .txt}.
     */
    public static Path labelPathFor(Path image) {
        String s = image.toString();
        int i = s.lastIndexOf("/images/");
        if (i >= 0) {
            s = s.substring(0, i) + "/labels/" + s.substring(i + "/images/".length());
        }
        int dot = s.lastIndexOf('.');
        int slash = s.lastIndexOf('/');
        return new Path((dot > slash ? s.substring(0, dot) : s) + ".txt");
    }
}
