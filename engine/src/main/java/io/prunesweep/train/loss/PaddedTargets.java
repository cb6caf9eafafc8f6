package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Ground truth padded per image, as ultralytics {@code v8DetectionLoss.preprocess} builds it: rows
 * of one image in their input order, padded with zeros to the largest per-image count M, boxes
 * scaled to pixels and converted to xyxy.
 *
 * @param labels [B, M, 1] class index as float (0 for padding)
 * @param boxes [B, M, 4] xyxy in pixels (0 for padding)
 * @param mask [B, M, 1] 1 where a real box is (ultralytics: {@code boxes.sum(-1) > 0})
 */
public record PaddedTargets(NDArray labels, NDArray boxes, NDArray mask) {

    public int maxBoxes() {
        return (int) boxes.getShape().get(1);
    }

    /**
     * @param targets [N, 6] rows (batch_index, class, cx, cy, w, h), box normalised to the input
     *     image; N may be 0
     * @param numClasses classes of the model; a target class outside [0, numClasses) is rejected
     * @param imgH input image height in pixels
     * @param imgW input image width in pixels
     */
    public static PaddedTargets of(
            NDManager manager, NDArray targets, int batchSize, int numClasses, int imgH, int imgW) {
        Shape ts = targets.getShape();
        if (ts.dimension() != 2 || ts.get(1) != 6) {
            throw new IllegalArgumentException(
                    "detection targets must be [N, 6] rows (batch_index, class, cx, cy,"
                            + " w, h), got shape "
                            + ts);
        }
        if (imgH <= 0 || imgW <= 0) {
            throw new IllegalArgumentException(
                    "input image size must be positive, got " + imgH + "x" + imgW);
        }
        int n = (int) ts.get(0);
        // One device->host copy; the padding is a per-box loop over plain floats, no tensor op per
        // box.
        float[] t = n == 0 ? new float[0] : targets.toType(DataType.FLOAT32, false).toFloatArray();
        int[] count = new int[batchSize];
        int[] slot = new int[n];
        for (int r = 0; r < n; r++) {
            int b = (int) t[6 * r];
            if (b < 0 || b >= batchSize || b != t[6 * r]) {
                throw new IllegalArgumentException(
                        "detection target row "
                                + r
                                + " has batch index "
                                + t[6 * r]
                                + ", expected an integer in [0, "
                                + batchSize
                                + ")");
            }
            float cls = t[6 * r + 1];
            if (cls < 0 || cls >= numClasses || cls != (int) cls) {
                throw new IllegalArgumentException(
                        "detection target row "
                                + r
                                + " has class "
                                + cls
                                + ", expected an integer in [0, "
                                + numClasses
                                + "); does the dataset's class count match"
                                + " the model's nc?");
            }
            slot[r] = count[b]++;
        }
        int m = 0;
        for (int c : count) {
            m = Math.max(m, c);
        }
        float[] labels = new float[batchSize * m];
        float[] boxes = new float[batchSize * m * 4];
        float[] mask = new float[batchSize * m];
        float w = imgW;
        float h = imgH;
        for (int r = 0; r < n; r++) {
            int row = (int) t[6 * r] * m + slot[r];
            labels[row] = t[6 * r + 1];
            // Same float32 steps as ultralytics: scale to pixels, then xy -/+ wh / 2.
            float cx = t[6 * r + 2] * w;
            float cy = t[6 * r + 3] * h;
            float hw = t[6 * r + 4] * w / 2f;
            float hh = t[6 * r + 5] * h / 2f;
            boxes[4 * row] = cx - hw;
            boxes[4 * row + 1] = cy - hh;
            boxes[4 * row + 2] = cx + hw;
            boxes[4 * row + 3] = cy + hh;
            float sum =
                    boxes[4 * row] + boxes[4 * row + 1] + boxes[4 * row + 2] + boxes[4 * row + 3];
            mask[row] = sum > 0f ? 1f : 0f;
        }
        return new PaddedTargets(
                manager.create(labels, new Shape(batchSize, m, 1)),
                manager.create(boxes, new Shape(batchSize, m, 4)),
                manager.create(mask, new Shape(batchSize, m, 1)));
    }
}
