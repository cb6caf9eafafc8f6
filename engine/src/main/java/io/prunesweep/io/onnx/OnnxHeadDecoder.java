package io.prunesweep.io.onnx;

import io.prunesweep.model.Layer;
import java.util.List;

/**
 * A detection head's inference decoding in ONNX: the raw maps its {@link OnnxExportable} export
 * returned become the model output {@code [B, 4 + nc, N]}, exactly as its {@link
 * io.prunesweep.model.DetectionHead#decode} computes it. Built in for Detect, AnchorDetect and
 * v10Detect; a custom head type implements it next to {@link OnnxExportable}.
 */
public interface OnnxHeadDecoder {
    /** The decoded tensor and its column count N. */
    record Decoded(String tensor, long columns) {}

    /**
     * @param ctx the head layer's export context (its weights and buffers through {@code
     *     ctx.parameter})
     * @param raw the head's raw maps as its export returned them
     * @param levelSizes spatial size of each level input of the head
     */
    Decoded emitDecode(Layer head, OnnxExportContext ctx, List<String> raw, List<int[]> levelSizes);

    /**
     * What {@link io.prunesweep.model.DetectionHead#decodeBeforeSelection} computes, for a head
     * whose output is a selection; null otherwise. Used by the export check only.
     */
    default Decoded emitBeforeSelection(
            Layer head, OnnxExportContext ctx, List<String> raw, List<int[]> levelSizes) {
        return null;
    }

    /** The decoder of a head: the type's own, else the built-in one for its module name. */
    static OnnxHeadDecoder of(io.prunesweep.model.ModuleType type, Layer head) {
        if (type instanceof OnnxHeadDecoder own) {
            return own;
        }
        return switch (head.module()) {
            case "AnchorDetect" -> AnchorHeadOnnx::decode;
            case "v10Detect" -> V10HeadOnnx.INSTANCE;
            default ->
                    (h, ctx, raw, sizes) ->
                            new Decoded(
                                    DetectDecode.emit(
                                            ctx.builder(),
                                            h,
                                            raw,
                                            sizes,
                                            ctx.parameter("dfl.conv.weight")),
                                    sizes.stream().mapToLong(s -> (long) s[0] * s[1]).sum());
        };
    }
}
