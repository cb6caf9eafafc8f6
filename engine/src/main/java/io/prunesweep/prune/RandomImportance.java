package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.io.SafeTensors.Tensor;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Uniform [0, 1) scores from one generator seeded with the seed, spaces in graph order: the
 * baseline.
 */
final class RandomImportance implements Importance {
    @Override
    public double[][] scores(ChannelSpaces cs, Map<String, Tensor> stateDict, long seed) {
        double[][] out = new double[cs.spaces().size()][];
        SplittableRandom random = new SplittableRandom(seed);
        for (Space s : cs.spaces()) {
            if (!s.prunable()) {
                continue;
            }
            double[] acc = new double[s.width()];
            for (int c = 0; c < acc.length; c++) {
                acc[c] = random.nextDouble();
            }
            out[s.id()] = acc;
        }
        return out;
    }
}
