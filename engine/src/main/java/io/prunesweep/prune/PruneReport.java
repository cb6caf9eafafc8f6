package io.prunesweep.prune;

import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a pruning run did, as a JSON-ready map and as a text table (params, GFLOPs, per-layer
 * widths).
 */
public final class PruneReport {
    private PruneReport() {}

    public static Map<String, Object> toMap(PruneResult r) {
        PruneConfig c = r.config();
        ModelGraph a = r.before();
        ModelGraph b = r.after();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", a.name() + a.scale());
        m.put("method", c.method().id());
        m.put("scope", c.scope().id());
        m.put("ratio", r.ratio());
        if (c.targetGflops() != null) {
            m.put("target_gflops", c.targetGflops());
        }
        if (c.targetParams() != null) {
            m.put("target_params", c.targetParams());
        }
        if (r.targetNote() != null) {
            m.put("target_note", r.targetNote());
        }
        m.put("steps", c.steps());
        m.put("min_channels", c.minChannels());
        m.put("round_to", c.roundTo());
        m.put("split_parity", c.splitParity());
        m.put("seed", c.seed());
        m.put("imgsz", c.imgsz());
        m.put("params_before", a.parameterCount());
        m.put("params_after", b.parameterCount());
        m.put("gflops_before", a.gflops(c.imgsz()));
        m.put("gflops_after", b.gflops(c.imgsz()));
        PrunePlan first = r.plans().get(0);
        PrunePlan last = r.plans().get(r.plans().size() - 1);
        int before = first.prunableChannels()[0];
        int after = last.prunableChannels()[1];
        m.put("prunable_channels_before", before);
        m.put("prunable_channels_after", after);
        m.put("rank_seconds", r.rankSeconds());
        m.put("rebuild_seconds", r.rebuildSeconds());
        m.put("notes", r.notes());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int i = 0; i < a.layers().size(); i++) {
            Layer la = a.layers().get(i);
            Layer lb = b.layers().get(i);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("index", i);
            l.put("module", la.module());
            l.put("out_before", la.outChannels());
            l.put("out_after", lb.outChannels());
            l.put("params_before", la.parameterCount());
            l.put("params_after", lb.parameterCount());
            layers.add(l);
        }
        m.put("layers", layers);
        List<Map<String, Object>> spaces = new ArrayList<>();
        Map<String, Integer> finalWidths = new LinkedHashMap<>();
        for (Space s : last.spaces().spaces()) {
            finalWidths.put(s.name(), last.kept()[s.id()].length);
        }
        for (Space s : first.spaces().prunable()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", s.name());
            e.put("before", s.width());
            e.put("after", finalWidths.getOrDefault(s.name(), s.width()));
            spaces.add(e);
        }
        m.put("spaces", spaces);
        return m;
    }

    public static String table(PruneResult r) {
        Map<String, Object> m = toMap(r);
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%4s  %-10s %16s %24s%n",
                        "idx",
                        "module",
                        "channels",
                        "params"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) m.get("layers");
        for (Map<String, Object> l : layers) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%4d  %-10s %7d -> %-6d %11s -> %s%n",
                            l.get("index"),
                            l.get("module"),
                            l.get("out_before"),
                            l.get("out_after"),
                            String.format(Locale.ROOT, "%,d", l.get("params_before")),
                            String.format(Locale.ROOT, "%,d", l.get("params_after"))));
        }
        long pa = (long) m.get("params_before");
        long pb = (long) m.get("params_after");
        double ga = (double) m.get("gflops_before");
        double gb = (double) m.get("gflops_after");
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%s pruned (%s, %s, ratio %.3f%s): params %,d -> %,d (%.1f%%), GFLOPs %.2f -> %.2f (%.1f%%) at %d px%n",
                        m.get("model"),
                        m.get("method"),
                        m.get("scope"),
                        r.ratio(),
                        r.config().steps() > 1 ? ", " + r.config().steps() + " steps" : "",
                        pa,
                        pb,
                        100.0 * pb / pa,
                        ga,
                        gb,
                        100.0 * gb / ga,
                        r.config().imgsz()));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "prunable channels %d -> %d; rank %.2f s, rebuild %.2f s%n",
                        m.get("prunable_channels_before"),
                        m.get("prunable_channels_after"),
                        r.rankSeconds(),
                        r.rebuildSeconds()));
        if (r.targetNote() != null) {
            sb.append("note: ").append(r.targetNote()).append('\n');
        }
        for (String n : r.notes()) {
            sb.append("note: ").append(n).append('\n');
        }
        return sb.toString();
    }
}
