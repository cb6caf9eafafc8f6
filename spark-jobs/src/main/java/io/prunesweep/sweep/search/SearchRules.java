package io.prunesweep.sweep.search;

import io.prunesweep.sweep.config.SweepConfig;
import java.util.Locale;

/** The rules of a sweep's {@code search:} section in words, as {@code --dry-run} prints them. */
public final class SearchRules {
    private SearchRules() {}

    public static String describe(SweepConfig c) {
        SweepConfig.Search s = c.search();
        if (s == null || s.mode() == null) {
            return null;
        }
        if (SweepConfig.Search.KNEE.equals(s.mode())) {
            return String.format(
                    Locale.ROOT,
                    "search knee: round 0 is the grid above; then, per (method, lambda) series, "
                            + "each round adds the midpoint between the largest ratio within %s mAP50-95 of dense and the smallest "
                            + "ratio outside it, until that bracket is at most %s wide or %d rounds are spent",
                    KneeSearch.plain(s.tolerance()),
                    KneeSearch.plain(s.width()),
                    s.rounds());
        }
        int full = c.epochs().finetune();
        int first = Halving.firstEpochs(full, s.eta(), s.rounds(), s.epochs());
        StringBuilder budgets = new StringBuilder().append(first);
        for (int r = 1; r <= s.rounds(); r++) {
            budgets.append(" -> ").append(Halving.epochsAt(first, full, s.eta(), s.rounds(), r));
        }
        return String.format(
                Locale.ROOT,
                "search halving: round 0 is the grid above at %d finetune epochs; each of up to "
                        + "%d rounds keeps the best 1/%d of the (method, lambda) series by mean Pareto rank (mAP50-95 up, params "
                        + "down) and continues their points from their last checkpoint; epochs per round %s",
                first,
                s.rounds(),
                s.eta(),
                budgets);
    }
}
