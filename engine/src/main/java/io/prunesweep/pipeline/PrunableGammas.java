package io.prunesweep.pipeline;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.model.ModelGraph;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The BatchNorm γ tensors the sparsity penalty applies to: those whose channels belong to a
 * prunable channel space of the coupling view. Channels tied by a residual add form one space with
 * several producers, so they are penalised together (they are pruned as a group); frozen spaces
 * (the image, the head's outputs, grouped convs, ...) are left alone, as Network Slimming intends.
 * A BN that produces several spaces (a C2f cv1 whose halves split) is penalised whole when any of
 * them is prunable.
 */
final class PrunableGammas {
    private PrunableGammas() {}

    /** State-dict names ({@code model.N.path.bn.weight}) of the prunable BN γ tensors. */
    static Set<String> names(ModelGraph graph) {
        Set<String> out = new LinkedHashSet<>();
        for (ChannelSpaces.Space s : ChannelSpaces.of(graph).prunable()) {
            for (ChannelSpaces.Producer p : s.producers()) {
                if (p.bn()) {
                    out.add(graph.layers().get(p.layer()).prefix(p.convPath()) + "bn.weight");
                }
            }
        }
        return out;
    }
}
