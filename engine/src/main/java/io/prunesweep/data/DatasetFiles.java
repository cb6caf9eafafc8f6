package io.prunesweep.data;

import io.prunesweep.InputException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * File access for datasets through the Hadoop FileSystem API, so local paths, {@code file:}, {@code hdfs://} and
 * {@code s3a://} all work the same way.
 */
public final class DatasetFiles {
    /** Image suffixes OpenCV can decode (ultralytics' IMG_FORMATS minus the ones OpenCV cannot read). */
    public static final Set<String> IMAGE_SUFFIXES = Set.of("bmp", "jpg", "jpeg", "png", "tif", "tiff", "webp");

    private DatasetFiles() {}

    public static FileSystem fs(Path path, Configuration conf) {
        try {
            return path.getFileSystem(conf);
        } catch (IOException e) {
            throw new InputException(path + ": no filesystem for this path (" + e.getMessage()
                    + "); check the scheme and the Hadoop configuration", e);
        }
    }

    public static boolean exists(Path path, Configuration conf) throws IOException {
        return fs(path, conf).exists(path);
    }

    public static byte[] readBytes(Path path, Configuration conf) throws IOException {
        try (FSDataInputStream in = fs(path, conf).open(path)) {
            return in.readAllBytes();
        }
    }

    public static String readText(Path path, Configuration conf) throws IOException {
        return new String(readBytes(path, conf), StandardCharsets.UTF_8);
    }

    /**
     * Writes a whole file. On the local filesystem the raw (checksum-free) filesystem is used so no {@code .crc}
     * side files appear next to images users will open with other tools.
     */
    public static void writeBytes(Path path, byte[] bytes, Configuration conf) throws IOException {
        FileSystem fs = fs(path, conf);
        if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) {
            fs = local.getRawFileSystem();
        }
        try (OutputStream out = fs.create(path, true)) {
            out.write(bytes);
        }
    }

    /**
     * The images of one split source: every image file under a directory (recursively), or the lines of a
     * {@code .txt} list (relative lines resolve against the list's folder), or a single image. Sorted by path so
     * the dataset order never depends on the filesystem's listing order.
     */
    public static List<Path> listImages(Path source, Configuration conf) throws IOException {
        FileSystem fs = fs(source, conf);
        if (!fs.exists(source)) {
            throw new InputException(source + ": image folder or list does not exist; check `path`/`train`/`val`"
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
            for (String line : readText(source, conf).split("\\R")) {
                String s = line.strip();
                if (s.isEmpty()) {
                    continue;
                }
                if (s.startsWith("./")) {
                    s = s.substring(2);
                }
                Path p = new Path(s);
                images.add(p.isAbsolute() || p.toUri().getScheme() != null ? p : new Path(parent, s));
            }
        } else if (isImage(source.getName())) {
            images.add(source);
        } else {
            throw new InputException(source + ": neither a folder, a .txt list of images nor an image file");
        }
        images.sort((a, b) -> a.toString().compareTo(b.toString()));
        return images;
    }

    public static boolean isImage(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_SUFFIXES.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The ultralytics rule: replace the last {@code /images/} by {@code /labels/} and the suffix by {@code .txt}. */
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
