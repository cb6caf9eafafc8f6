package io.prunesweep.io.onnx;

import io.prunesweep.model.Layer;
import java.util.List;

/**
 * The ONNX export of a module type. The engine's modules have theirs as adapters in this package
 * ({@code BuiltinOnnxModules}, {@code McaOnnx}), so the model package does not depend on ONNX code.
 * A user's module (in its own jar) may implement it on its {@link io.prunesweep.model.ModuleType}
 * class, and {@link YoloOnnxExporter} calls it for every layer of that type. The export must
 * compute exactly what the type's {@code forward} computes in inference mode: every export is run
 * in ONNX Runtime and compared with the engine's forward, and a mismatch fails the export.
 *
 * <p>Example, a layer that is one conv followed by a residual add of its input:
 *
 * <pre>{@code
 * public List<String> exportOnnx(Layer layer, OnnxExportContext ctx, List<String> inputs) {
 *     String y = ctx.conv("", inputs.get(0));             // conv + folded BatchNorm + SiLU, as the spec says
 *     return List.of(ctx.builder().add(inputs.get(0), y));
 * }
 * }</pre>
 */
public interface OnnxExportable {
    /**
     * Emits the layer's nodes.
     *
     * @param inputs the tensors of the layer's inputs, in the order of {@link Layer#from()}
     * @return the layer's output tensor; a detection head (the last layer) returns its raw maps,
     *     one per level {@code [B, 4*reg_max + nc, H, W]}, exactly as its {@code forward} does, and
     *     the exporter decodes them
     */
    List<String> exportOnnx(Layer layer, OnnxExportContext ctx, List<String> inputs);
}
