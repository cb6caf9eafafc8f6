package io.prunesweep.data.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prunesweep.data.DatasetConfig;
import io.prunesweep.data.LabeledImage;
import io.prunesweep.data.YoloDataset;
import java.util.List;

/**
 * The ground truth of a YOLO split as a COCO instances JSON ({@code images}, {@code annotations},
 * {@code categories}), boxes in original pixels: for pycocotools, and the inverse of {@link
 * DatasetConverter}. Image ids count from 1 in dataset order; {@code file_name} is the image's file
 * name; category ids are {@code categoryIds[cls]} (class index + 1 when null, as COCO ids start at
 * 1).
 */
public final class CocoInstances {
    private CocoInstances() {}

    public static String fromYolo(
            DatasetConfig data,
            String split,
            int[] categoryIds,
            org.apache.hadoop.conf.Configuration conf) {
        YoloDataset ds = YoloDataset.scan(data, split, conf, 1);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ArrayNode images = root.putArray("images");
        ArrayNode anns = root.putArray("annotations");
        ArrayNode cats = root.putArray("categories");
        List<String> names = data.names();
        for (int c = 0; c < names.size(); c++) {
            cats.addObject()
                    .put("id", categoryIds == null ? c + 1 : categoryIds[c])
                    .put("name", names.get(c));
        }
        int annId = 1;
        for (int i = 0; i < ds.size(); i++) {
            LabeledImage im = ds.get(i);
            int w = im.width(), h = im.height();
            images.addObject()
                    .put("id", i + 1)
                    .put("file_name", im.image().getName())
                    .put("width", w)
                    .put("height", h);
            float[] r = im.labels();
            for (int k = 0; k + 4 < r.length; k += 5) {
                int cls = (int) r[k];
                double bw = r[k + 3] * (double) w, bh = r[k + 4] * (double) h;
                double x = r[k + 1] * (double) w - bw / 2, y = r[k + 2] * (double) h - bh / 2;
                ObjectNode a =
                        anns.addObject()
                                .put("id", annId++)
                                .put("image_id", i + 1)
                                .put(
                                        "category_id",
                                        categoryIds == null ? cls + 1 : categoryIds[cls])
                                .put("iscrowd", 0)
                                .put("area", bw * bh);
                a.putArray("bbox").add(x).add(y).add(bw).add(bh);
            }
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
