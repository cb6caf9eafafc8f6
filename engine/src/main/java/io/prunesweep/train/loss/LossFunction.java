package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A detection loss over a head's raw training output; {@link LossFunctions#forModel} picks the one
 * that fits the model's head.
 */
@FunctionalInterface
public interface LossFunction {
    /**
     * @param raw the head's forward output in training mode (per level maps; v10Detect: one-to-many
     *     levels, then one-to-one levels)
     * @param targets [N, 6] float rows (batch_index, class, cx, cy, w, h) normalised to the input
     *     image; N may be 0
     * @return the total to call backward on (attached to the manager of {@code raw}) and three
     *     logged components: box, cls and a third that is DFL for anchor-free heads and objectness
     *     for the anchor-based head
     */
    LossOutput compute(NDList raw, NDArray targets, int imgH, int imgW);
}
