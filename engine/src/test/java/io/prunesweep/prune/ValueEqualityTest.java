package io.prunesweep.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.prunesweep.graph.ChannelSpaces;
import io.prunesweep.model.ConvSpec;
import io.prunesweep.model.Layer;
import io.prunesweep.model.ModelGraph;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Records with array fields compare by content (Layer, the channel spaces' layer view, the
 * selector's rules).
 */
class ValueEqualityTest {

    @Test
    void layersCompareByContentAndSurviveAJsonRoundTrip() {
        Layer a =
                new Layer(
                        3,
                        new int[] {1, 2},
                        "C2f",
                        Map.of("cv1", ConvSpec.conv(32, 32, 1, 1)),
                        Map.of("split", new int[] {16, 16}),
                        new int[] {32},
                        32,
                        8);
        Layer b =
                new Layer(
                        3,
                        new int[] {1, 2},
                        "C2f",
                        Map.of("cv1", ConvSpec.conv(32, 32, 1, 1)),
                        Map.of("split", List.of(16, 16)),
                        new int[] {32},
                        32,
                        8);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(
                a,
                new Layer(3, new int[] {1, 3}, "C2f", a.convs(), a.attrs(), new int[] {32}, 32, 8));

        ModelGraph g = PruneFixtures.graph("yolo11");
        ModelGraph back = ModelGraph.fromJson(g.toJson(), "test");
        assertEquals(g, back, "a graph read back from a checkpoint equals the one written");
        assertEquals(g.hashCode(), back.hashCode());
    }

    @Test
    void channelViewsAndRulesCompareByContent() {
        ModelGraph g = PruneFixtures.graph("yolov8");
        ChannelSpaces one = ChannelSpaces.of(g);
        ChannelSpaces two = ChannelSpaces.of(ModelGraph.fromJson(g.toJson(), "test"));
        assertEquals(one.layers(), two.layers());
        assertEquals(
                new ChannelSpaces.ConvChannels(new int[] {1}, new int[] {2, 3}),
                new ChannelSpaces.ConvChannels(new int[] {1}, new int[] {2, 3}));
        var r1 =
                new ChannelSelector.Rules(
                        0.5,
                        Scope.GLOBAL,
                        8,
                        1,
                        true,
                        Map.of(1, 0.2),
                        Set.of(4),
                        new int[] {16, 32});
        var r2 =
                new ChannelSelector.Rules(
                        0.5,
                        Scope.GLOBAL,
                        8,
                        1,
                        true,
                        Map.of(1, 0.2),
                        Set.of(4),
                        new int[] {16, 32});
        assertEquals(r1, r2);
        assertEquals(r1.hashCode(), r2.hashCode());
        assertNotEquals(
                r1,
                new ChannelSelector.Rules(
                        0.5,
                        Scope.GLOBAL,
                        8,
                        1,
                        true,
                        Map.of(1, 0.2),
                        Set.of(4),
                        new int[] {16, 16}));
    }
}
