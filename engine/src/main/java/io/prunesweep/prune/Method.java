package io.prunesweep.prune;

import io.prunesweep.prune.ProducerImportance.Normalisation;
import io.prunesweep.prune.ProducerImportance.Reduction;
import java.util.List;

/**
 * A registered channel-importance criterion: the name used by {@code --method} and {@code
 * prune.methods}, a one-line summary for help texts, and the {@link Importance} that computes the
 * scores. Look one up with {@link #parse}; add one with {@link ImportanceRegistry#register}.
 *
 * @param id lower-case name ({@code bn}, {@code l1}, ...)
 * @param summary what the score is, for {@code prune --help} and the README
 * @param importance the strategy
 */
public record Method(String id, String summary, Importance importance) {

    /**
     * |γ| of the producing BatchNorms, averaged over producers, raw (Network Slimming, Liu et al.
     * 2017).
     */
    public static final Method BN =
            new Method(
                    "bn",
                    "|gamma| of the producing BatchNorms (Network Slimming)",
                    new ProducerImportance(
                            ProducerImportance::gammaMagnitude,
                            Normalisation.NONE,
                            Reduction.MEAN));

    /**
     * L1 norm of the producing filters over their mean in the space, averaged over producers (Li et
     * al. 2016).
     */
    public static final Method L1 =
            new Method(
                    "l1",
                    "L1 norm of the producing filters, relative to the space's mean",
                    new ProducerImportance(
                            ProducerImportance::filterL1, Normalisation.MEAN, Reduction.MEAN));

    /** L2 norm of the producing filters, normalised as {@link #L1}. */
    public static final Method L2 =
            new Method(
                    "l2",
                    "L2 norm of the producing filters, relative to the space's mean",
                    new ProducerImportance(
                            ProducerImportance::filterL2, Normalisation.MEAN, Reduction.MEAN));

    /** Seeded uniform random scores: the baseline every criterion should beat. */
    public static final Method RANDOM =
            new Method(
                    "random",
                    "seeded uniform random scores (the baseline)",
                    new RandomImportance());

    /**
     * Not a channel criterion: weight-level magnitude pruning that keeps the dense shapes ({@link
     * io.prunesweep.prune.unstructured.MagnitudePruner}), the baseline structured pruning is
     * compared with. {@link Pruner} sends it there; its {@link Importance} only refuses to rank
     * channels.
     */
    public static final Method UNSTRUCTURED =
            new Method(
                    "unstructured",
                    "zero the smallest conv weights, dense shapes kept (the weight-level baseline)",
                    (spaces, stateDict, seed) -> {
                        throw new IllegalArgumentException(
                                "unstructured pruning ranks weights, not channels (see MagnitudePruner)");
                    });

    /** The criteria every build has, in the order the report gives them their colours. */
    public static final List<Method> BUILT_IN = List.of(BN, L1, L2, RANDOM, UNSTRUCTURED);

    /**
     * The channel criteria (every registered method but {@link #UNSTRUCTURED}), which rank
     * channels.
     */
    public static List<Method> channelCriteria() {
        return ImportanceRegistry.methods().stream().filter(m -> m != UNSTRUCTURED).toList();
    }

    public Method {
        if (id == null || !id.matches("[a-z][a-z0-9_-]*")) {
            throw new IllegalArgumentException(
                    "method id '" + id + "' must be lower-case letters, digits, '_' or '-'");
        }
        if (importance == null) {
            throw new IllegalArgumentException("method " + id + " has no Importance");
        }
    }

    /**
     * The registered method named {@code s} (any case); otherwise one message that lists the
     * registered names.
     */
    public static Method parse(String s) {
        return ImportanceRegistry.find(s);
    }

    @Override
    public String toString() {
        return id;
    }
}
