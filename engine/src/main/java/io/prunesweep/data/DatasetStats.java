package io.prunesweep.data;

import io.prunesweep.io.FileSystems;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * What a YOLO split holds: boxes and images per class, and box sizes binned as COCO bins them:
 * small (area &lt; 32²), medium (&lt; 96²), large, area in pixels of the original image (the box's
 * area, where COCO uses the annotation's {@code area}, i.e. the mask's for COCO itself). Widths and
 * heights are rounded to 1/1000 px so a 32 px box normalized to a float counts as 32 px.
 *
 * @param split "train" or "val"
 * @param names class names
 * @param boxes boxes per class
 * @param images images with at least one box of the class, per class
 * @param sizes {@code [class][0 small, 1 medium, 2 large]}
 * @param totalImages images in the split (backgrounds included)
 */
public record DatasetStats(
        String split,
        List<String> names,
        long[] boxes,
        long[] images,
        long[][] sizes,
        long totalImages) {
    public static final double SMALL = 32 * 32;
    public static final double MEDIUM = 96 * 96;
    static final String[] SIZE_NAMES = {"small", "medium", "large"};

    /** Counts an already scanned split. */
    public static DatasetStats of(YoloDataset ds) {
        int nc = ds.nc();
        long[] boxes = new long[nc];
        long[] images = new long[nc];
        long[][] sizes = new long[nc][3];
        for (LabeledImage im : ds.images()) {
            boolean[] seen = new boolean[nc];
            float[] r = im.labels();
            for (int k = 0; k + 4 < r.length; k += 5) {
                int c = (int) r[k];
                boxes[c]++;
                seen[c] = true;
                double area = px(r[k + 3], im.width()) * px(r[k + 4], im.height());
                sizes[c][area < SMALL ? 0 : area < MEDIUM ? 1 : 2]++;
            }
            for (int c = 0; c < nc; c++) {
                if (seen[c]) {
                    images[c]++;
                }
            }
        }
        return new DatasetStats(ds.split(), ds.names(), boxes, images, sizes, ds.size());
    }

    private static double px(float normalized, int side) {
        return Math.round(normalized * (double) side * 1000) / 1000.0;
    }

    /** The size bins summed over classes. */
    public long[] totalSizes() {
        long[] t = new long[3];
        for (long[] s : sizes) {
            for (int i = 0; i < 3; i++) {
                t[i] += s[i];
            }
        }
        return t;
    }

    public long totalBoxes() {
        long t = 0;
        for (long b : boxes) {
            t += b;
        }
        return t;
    }

    /** A fixed-width table: one row per class and one "all" row. */
    public List<String> table() {
        int w = Math.max(5, names.stream().mapToInt(String::length).max().orElse(5));
        List<String> t = new ArrayList<>();
        String fmt = "%-5s  %-" + w + "s  %8s  %8s  %8s  %8s  %8s";
        t.add(
                String.format(
                        Locale.ROOT,
                        fmt,
                        "split",
                        "class",
                        "boxes",
                        "images",
                        "small",
                        "medium",
                        "large"));
        for (int c = 0; c < names.size(); c++) {
            t.add(
                    String.format(
                            Locale.ROOT,
                            fmt,
                            split,
                            names.get(c),
                            boxes[c],
                            images[c],
                            sizes[c][0],
                            sizes[c][1],
                            sizes[c][2]));
        }
        long[] s = totalSizes();
        t.add(
                String.format(
                        Locale.ROOT,
                        fmt,
                        split,
                        "all",
                        totalBoxes(),
                        totalImages + " img",
                        s[0],
                        s[1],
                        s[2]));
        return t;
    }

    private static final Color[] SIZE_COLORS = {
        new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868)
    };

    /**
     * A PNG bar chart, one panel per split: per class, boxes as a bar stacked small/medium/large,
     * and the number of images with the class as a black tick. Drawn with Java2D (headless).
     */
    public static byte[] chartPng(List<DatasetStats> splits, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int nc = splits.get(0).names().size();
        int slot = 34;
        int left = 70, right = 150, top = 50, panelH = 260, bottom = 110;
        int width = Math.max(520, left + right + nc * slot);
        int height = top + splits.size() * (panelH + bottom);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (int p = 0; p < splits.size(); p++) {
            DatasetStats st = splits.get(p);
            int y0 = top + p * (panelH + bottom) + panelH; // the axis
            long max = 1;
            for (int c = 0; c < nc; c++) {
                max = Math.max(max, Math.max(st.boxes[c], st.images[c]));
            }
            double scale = (panelH - 20) / (double) niceCeil(max);
            g.setColor(new Color(0xDDDDDD));
            long step = niceCeil(max) / 4;
            for (long v = 0; v <= niceCeil(max); v += Math.max(1, step)) {
                int y = y0 - (int) Math.round(v * scale);
                g.setColor(new Color(0xE5E5E5));
                g.drawLine(left, y, left + nc * slot, y);
                g.setColor(Color.DARK_GRAY);
                String s = Long.toString(v);
                g.drawString(s, left - 6 - fm.stringWidth(s), y + 4);
            }
            for (int c = 0; c < nc; c++) {
                int x = left + c * slot + 6;
                int y = y0;
                for (int b = 0; b < 3; b++) {
                    int h = (int) Math.round(st.sizes[c][b] * scale);
                    g.setColor(SIZE_COLORS[b]);
                    g.fillRect(x, y - h, slot - 12, h);
                    y -= h;
                }
                int yi = y0 - (int) Math.round(st.images[c] * scale);
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(2f));
                g.drawLine(x - 3, yi, x + slot - 9, yi);
                AffineTransform at = g.getTransform();
                g.rotate(-Math.PI / 4, x + (slot - 12) / 2.0, y0 + 12);
                String name = st.names.get(c);
                g.drawString(name, x + (slot - 12) / 2 - fm.stringWidth(name), y0 + 16);
                g.setTransform(at);
            }
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1f));
            g.drawLine(left, y0, left + nc * slot, y0);
            g.drawLine(left, y0, left, y0 - panelH + 10);
            g.drawString(
                    String.format(
                            Locale.ROOT,
                            "%s: %d images, %d boxes",
                            st.split,
                            st.totalImages,
                            st.totalBoxes()),
                    left,
                    y0 - panelH + 4);
            int lx = left + nc * slot + 16;
            int ly = y0 - panelH + 20;
            for (int b = 0; b < 3; b++) {
                g.setColor(SIZE_COLORS[b]);
                g.fillRect(lx, ly + b * 18 - 10, 12, 12);
                g.setColor(Color.BLACK);
                g.drawString(
                        SIZE_NAMES[b] + (b == 0 ? " < 32²" : b == 1 ? " < 96²" : " ≥ 96²") + " px",
                        lx + 18,
                        ly + b * 18);
            }
            g.setStroke(new BasicStroke(2f));
            g.drawLine(lx, ly + 3 * 18 - 4, lx + 12, ly + 3 * 18 - 4);
            g.drawString("images with class", lx + 18, ly + 3 * 18);
        }
        g.dispose();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static long niceCeil(long v) {
        long p = 1;
        while (p * 10 <= v) {
            p *= 10;
        }
        for (long m : new long[] {1, 2, 4, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Writes the chart to {@code target} (any Hadoop path). */
    public static void writeChart(
            List<DatasetStats> splits, String title, Path target, Configuration conf)
            throws IOException {
        byte[] png = chartPng(splits, title);
        FileSystems.writeAtomically(target, conf, o -> o.write(png));
    }
}
