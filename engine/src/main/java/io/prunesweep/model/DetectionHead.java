package io.prunesweep.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.function.Function;

/**
 * A module type that can be the last layer of a network: the detection head. Its {@code forward}
 * returns raw maps (what its loss reads, in training and inference mode alike); {@link #decode}
 * turns them into the inference output every consumer reads: {@code [B, 4 + nc, N]}, boxes {@code
 * cx, cy, w, h} in input pixels then {@code nc} class scores in [0, 1]. Built in: {@code Detect}
 * (anchor-free, DFL), {@code AnchorDetect} (YOLOv5, scores = class x objectness), {@code v10Detect}
 * (one-to-one head, top-k, no NMS needed).
 */
public interface DetectionHead {

    /**
     * @param raw the head's forward output
     * @param tensor a tensor of the head layer by its name within the layer ({@code
     *     dfl.conv.weight}, {@code anchors}), on the device of {@code raw}
     */
    NDArray decode(Layer head, NDList raw, Function<String, NDArray> tensor);

    /**
     * For a head whose output is a selection (NMS-free top-k), the dense decoded output it selects
     * from ({@code [B, 4 + nc, cells]}); null for a head without a selection step. The ONNX export
     * check compares it too, since a selection among scores equal to float precision may
     * legitimately differ between engines.
     */
    default NDArray decodeBeforeSelection(
            Layer head, NDList raw, Function<String, NDArray> tensor) {
        return null;
    }

    /** N, the number of output columns, for an input image of {@code h x w} pixels. */
    long outputColumns(Layer head, long h, long w);

    /**
     * Whether the output is final without NMS (a one-to-one head): validation then keeps every box
     * above the score threshold instead of suppressing overlaps.
     */
    default boolean nmsFree() {
        return false;
    }

    /** The head type of a graph (its last layer). */
    static DetectionHead of(ModelGraph graph) {
        ModuleType t = graph.type(graph.head());
        if (!(t instanceof DetectionHead h)) {
            throw new IllegalStateException(
                    "the last layer (" + graph.head().module() + ") is not a detection head");
        }
        return h;
    }

    /**
     * Cells of all levels of an {@code h x w} input: sum over strides s of {@code (h / s) * (w /
     * s)}.
     */
    static long cells(Layer head, long h, long w) {
        long n = 0;
        for (int s : head.intsAttr("strides")) {
            n += (h / s) * (w / s);
        }
        return n;
    }
}
