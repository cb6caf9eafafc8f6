package io.prunesweep.eval;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Wall-clock milliseconds per image of each validation stage, as ultralytics prints them ("Speed:
 * ... per image"). A stage that did not run (no model when predictions come from a file) is null.
 *
 * @param preprocessMs waiting for the loader (decode, letterbox, normalise; not hidden by
 *     prefetching) and the copy to the device
 * @param inferenceMs the forward pass and the copy of its output to the host
 * @param postprocessMs NMS, mapping to original pixels and matching against the labels
 */
public record ValidationSpeed(
        @JsonProperty("preprocess") Double preprocessMs,
        @JsonProperty("inference") Double inferenceMs,
        @JsonProperty("postprocess") Double postprocessMs) {

    /**
     * From total nanoseconds per stage over {@code images} images (a negative total: the stage did
     * not run).
     */
    static ValidationSpeed perImage(
            long preprocessNs, long inferenceNs, long postprocessNs, int images) {
        return new ValidationSpeed(
                ms(preprocessNs, images), ms(inferenceNs, images), ms(postprocessNs, images));
    }

    private static Double ms(long ns, int images) {
        return ns < 0 ? null : ns / 1e6 / Math.max(1, images);
    }
}
