package io.prunesweep.train.loss;

import ai.djl.ndarray.NDArray;

/**
 * Result of one detection-loss evaluation.
 *
 * @param total differentiable scalar to call backward on: (box + cls + dfl) * batch size, as
 *     ultralytics returns it; attached to the manager of the input feature maps
 * @param box gained CIoU loss per image (what ultralytics logs as box_loss)
 * @param cls gained BCE loss per image (cls_loss)
 * @param dfl gained distribution focal loss per image (dfl_loss)
 */
public record LossOutput(NDArray total, float box, float cls, float dfl) {}
