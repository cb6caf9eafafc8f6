package io.prunesweep.prune;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.graph.ChannelSpaces.LayerChannels;
import io.prunesweep.graph.ChannelSpaces.Producer;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.model.YoloModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Checks that every layer's declared channel {@link io.prunesweep.model.Wiring wiring} agrees with
 * its forward. A module states its channel flow twice, once in {@code wiring} and once in {@code
 * forward}; if they disagree (a concat read in the other order, a residual tied to the wrong
 * tensor) pruning still builds a network of the right widths, but a wrong one. This harness makes
 * that a failed check instead of a silently wrong prune.
 *
 * <p>The check: removing channels equals silencing them. With γ = β = 0 for a channel in every
 * BatchNorm producing it, the channel is exactly 0 after BN and SiLU, so it adds nothing
 * downstream; the original network must then compute, to float rounding, what the rebuilt one
 * computes. The harness randomises every BatchNorm (so channels differ), removes a random half of
 * every prunable space, silences those channels in the original, and compares the raw output maps
 * on a random image.
 *
 * <p>A module whose outputs depend on all channels at once (an attention gate pooling over
 * channels, see {@link io.prunesweep.model.ModuleType#mixesChannels}) cannot be equal after
 * silencing: the spaces through such a layer are kept in the exact comparison, and pruned in a
 * second pass that checks the rebuilt network runs and gives maps of the original's shapes with
 * finite values.
 *
 * <p>For a user module: build a small YAML that uses it ({@code GraphBuilder.build(def, scale, nc,
 * ModuleRegistry.standard().with(new MyModule()))}) and assert {@code WiringHarness.check(graph,
 * 0).passed()}.
 */
public final class WiringHarness {
    private static final float TOLERANCE = 1e-4f;
    private static final int IMAGE = 64;

    private WiringHarness() {}

    /**
     * @param problems what failed, one line each; empty when the wiring agrees with the forward
     * @param spacesExact prunable spaces halved in the exact comparison
     * @param spacesRunOnly prunable spaces through channel-mixing layers, checked by building and
     *     running only
     * @param maxAbsDifference largest raw-map difference of the exact comparison
     */
    public record Result(
            List<String> problems, int spacesExact, int spacesRunOnly, float maxAbsDifference) {
        public boolean passed() {
            return problems.isEmpty();
        }
    }

    public static Result check(ModelGraph graph, long seed) {
        List<String> problems = new ArrayList<>();
        ChannelSpaces cs = ChannelSpaces.of(graph);
        for (String note : cs.notes()) {
            problems.add("wiring not usable: " + note);
        }
        Set<Integer> mixing = mixingSpaces(cs);
        int exact = 0;
        int runOnly = 0;
        for (Space s : cs.prunable()) {
            if (mixing.contains(s.id())) {
                runOnly++;
            } else {
                exact++;
            }
        }
        float diff = 0;
        try (YoloModel original = YoloModel.create(graph, seed, Device.cpu());
                NDManager m = NDManager.newBaseManager()) {
            randomiseBatchNorm(original, seed);
            Map<String, io.prunesweep.io.SafeTensors.Tensor> weights = original.stateDict();
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, IMAGE, IMAGE));
            ParameterStore ps = new ParameterStore(m, false);
            if (runOnly > 0) {
                PrunePlan all = plan(cs, halves(cs, Set.of(), seed));
                try (YoloModel pruned = Pruner.build(all, weights, Device.cpu())) {
                    NDList a = original.network().forwardRaw(ps, x, false);
                    NDList b = pruned.network().forwardRaw(ps, x, false);
                    compareShapes(a, b, problems);
                    for (int i = 0; i < b.size(); i++) {
                        if (b.get(i).isInfinite().logicalOr(b.get(i).isNaN()).any().getBoolean()) {
                            problems.add(
                                    "map "
                                            + i
                                            + " of the network pruned through channel-mixing layers is not finite");
                        }
                    }
                } catch (RuntimeException e) {
                    problems.add("pruning through channel-mixing layers fails: " + e.getMessage());
                }
            }
            PrunePlan plan = plan(cs, halves(cs, mixing, seed));
            try (YoloModel pruned = Pruner.build(plan, weights, Device.cpu())) {
                silenceRemoved(original, plan);
                NDList a = original.network().forwardRaw(ps, x, false);
                NDList b = pruned.network().forwardRaw(ps, x, false);
                if (compareShapes(a, b, problems)) {
                    for (int i = 0; i < a.size(); i++) {
                        float d = a.get(i).sub(b.get(i)).abs().max().getFloat();
                        float scale = Math.max(1f, a.get(i).abs().max().getFloat());
                        diff = Math.max(diff, d);
                        if (!(d <= TOLERANCE * scale)) {
                            problems.add(
                                    String.format(
                                            "map %d: the rebuilt network differs from the original with the"
                                                    + " removed channels silenced by %.3g (tolerance %.1g): a layer's wiring does not"
                                                    + " match its forward",
                                            i, d, TOLERANCE * scale));
                        }
                    }
                }
            } catch (RuntimeException e) {
                problems.add("the rebuilt network does not build or run: " + e.getMessage());
            }
        }
        return new Result(List.copyOf(problems), exact, runOnly, diff);
    }

    /** γ = β = 0 for every removed channel in every BatchNorm producing its space. */
    public static void silenceRemoved(YoloModel model, PrunePlan plan) {
        Map<String, Parameter> params = model.network().parameters();
        for (Space s : plan.spaces().prunable()) {
            int[] removed = plan.removed(s.id());
            if (removed.length == 0) {
                continue;
            }
            for (Producer p : s.producers()) {
                if (!p.bn()) {
                    continue;
                }
                Layer layer = plan.original().layers().get(p.layer());
                for (String k : new String[] {"bn.weight", "bn.bias"}) {
                    var arr = params.get(layer.prefix(p.convPath()) + k).getArray();
                    float[] v = arr.toFloatArray();
                    for (int c : removed) {
                        v[p.offset() + c] = 0f;
                    }
                    arr.set(v);
                }
            }
        }
    }

    /** Spaces read or written by a layer whose type declares that it mixes channels. */
    private static Set<Integer> mixingSpaces(ChannelSpaces cs) {
        Set<Integer> out = new HashSet<>();
        ModelGraph g = cs.graph();
        for (Layer layer : g.layers()) {
            if (g.type(layer).mixesChannels(layer) == null) {
                continue;
            }
            LayerChannels lc = cs.layers().get(layer.index());
            for (int[] in : lc.inputs()) {
                for (int id : in) {
                    out.add(id);
                }
            }
            for (int id : lc.output()) {
                out.add(id);
            }
            for (var c : lc.convs().values()) {
                for (int id : c.in()) {
                    out.add(id);
                }
                for (int id : c.out()) {
                    out.add(id);
                }
            }
        }
        return out;
    }

    /**
     * A random half of every prunable space not in {@code keepWhole} (at least one channel stays).
     */
    private static int[][] halves(ChannelSpaces cs, Set<Integer> keepWhole, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[][] kept = new int[cs.spaces().size()][];
        for (Space s : cs.spaces()) {
            int w = s.width();
            if (!s.prunable() || keepWhole.contains(s.id()) || w < 2) {
                kept[s.id()] = java.util.stream.IntStream.range(0, w).toArray();
                continue;
            }
            List<Integer> idx = new ArrayList<>();
            for (int c = 0; c < w; c++) {
                idx.add(c);
            }
            for (int i = w - 1; i > 0; i--) {
                java.util.Collections.swap(idx, i, r.nextInt(i + 1));
            }
            kept[s.id()] =
                    idx.subList(0, w - w / 2).stream()
                            .mapToInt(Integer::intValue)
                            .sorted()
                            .toArray();
        }
        return kept;
    }

    private static PrunePlan plan(ChannelSpaces cs, int[][] kept) {
        return new PrunePlan(cs, kept, GraphRebuild.rebuild(cs, kept), 0.5);
    }

    private static boolean compareShapes(NDList a, NDList b, List<String> problems) {
        if (a.size() != b.size()) {
            problems.add(
                    "the rebuilt network returns " + b.size() + " maps, the original " + a.size());
            return false;
        }
        boolean ok = true;
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).getShape().equals(b.get(i).getShape())) {
                problems.add(
                        "map "
                                + i
                                + ": shape "
                                + b.get(i).getShape()
                                + " after pruning, "
                                + a.get(i).getShape()
                                + " before");
                ok = false;
            }
        }
        return ok;
    }

    /**
     * BatchNorm γ, β and running statistics at random, so that every channel carries a different
     * signal.
     */
    private static void randomiseBatchNorm(YoloModel model, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Map.Entry<String, Parameter> e : model.network().parameters().entrySet()) {
            String k = e.getKey();
            if (!k.contains(".bn.")) {
                continue;
            }
            int n = (int) e.getValue().getArray().size();
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                double u = r.nextDouble();
                v[i] =
                        (float)
                                (k.endsWith("bn.bias")
                                        ? u * 0.4 - 0.2
                                        : k.endsWith("running_mean") ? u * 0.2 - 0.1 : 0.5 + u);
            }
            e.getValue().getArray().set(v);
        }
    }
}
