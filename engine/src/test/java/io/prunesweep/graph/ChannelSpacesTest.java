package io.prunesweep.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prunesweep.graph.ChannelSpaces.LayerChannels;
import io.prunesweep.graph.ChannelSpaces.Producer;
import io.prunesweep.graph.ChannelSpaces.Space;
import io.prunesweep.model.GraphBuilder;
import io.prunesweep.model.ModelDefinition;
import io.prunesweep.model.ModelGraph;
import io.prunesweep.prune.WeightTransfer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelSpacesTest {
    static final ModelGraph V8 = GraphBuilder.build(ModelDefinition.bundled("yolov8"), "n", 2);
    static final ModelGraph V11 = GraphBuilder.build(ModelDefinition.bundled("yolo11"), "n", 2);

    private static int id(ChannelSpaces cs, String name) {
        Space s = cs.byName(name);
        assertTrue(s != null, "no space " + name);
        return s.id();
    }

    private static List<String> producers(Space s) {
        return s.producers().stream()
                .map(p -> p.layer() + "." + p.convPath() + "@" + p.offset())
                .toList();
    }

    @Test
    void residualAddsTieBottleneckOutputsToTheSplitHalf() {
        ChannelSpaces cs = ChannelSpaces.of(V8);
        Space half = cs.space(id(cs, "4.cv1[1]"));
        assertEquals(List.of("4.cv1@32", "4.m.0.cv2@0", "4.m.1.cv2@0"), producers(half));
        LayerChannels l4 = cs.layers().get(4);
        assertArrayEquals(new int[] {id(cs, "4.cv1[0]"), half.id()}, l4.convs().get("cv1").out());
        assertArrayEquals(new int[] {half.id()}, l4.convs().get("m.0.cv2").out());
        assertArrayEquals(new int[] {half.id()}, l4.convs().get("m.1.cv1").in());
        // cv2 reads [a, b, m.0 out, m.1 out] = the two halves, then the (tied) half twice more
        assertArrayEquals(
                new int[] {id(cs, "4.cv1[0]"), half.id(), half.id(), half.id()},
                l4.convs().get("cv2").in());
        // without a shortcut (head C2f) nothing is tied
        assertEquals(List.of("12.m.0.cv2@0"), producers(cs.space(id(cs, "12.m.0.cv2"))));
    }

    @Test
    void concatAndUpsampleMapChannelRanges() {
        ChannelSpaces cs = ChannelSpaces.of(V8);
        // layer 11 = Concat(Upsample(9), 6); layer 12's cv1 reads SPPF's cv2 channels, then layer
        // 6's
        assertArrayEquals(
                new int[] {id(cs, "9.cv2"), id(cs, "6.cv2")},
                cs.layers().get(12).convs().get("cv1").in());
        assertArrayEquals(new int[] {id(cs, "9.cv2")}, cs.layers().get(10).output());
        int cv1 = id(cs, "9.cv1");
        assertArrayEquals(
                new int[] {cv1, cv1, cv1, cv1},
                cs.layers().get(9).convs().get("cv2").in(),
                "SPPF pools keep channels");

        // channel positions inside the concatenation: kept indices of 9.cv2, then 6.cv2's shifted
        // by 9.cv2's width
        int[][] kept = new int[cs.spaces().size()][];
        for (Space s : cs.spaces()) {
            kept[s.id()] = range(s.width());
        }
        kept[id(cs, "9.cv2")] = new int[] {1, 5, 200};
        kept[id(cs, "6.cv2")] = new int[] {0, 127};
        assertEquals(256, cs.space(id(cs, "9.cv2")).width());
        int[] pos = WeightTransfer.positions(cs, cs.layers().get(12).convs().get("cv1").in(), kept);
        assertArrayEquals(new int[] {1, 5, 200, 256, 383}, pos);
    }

    @Test
    void detectOutputsDflAndAttentionAreFrozen() {
        ChannelSpaces cs = ChannelSpaces.of(V11);
        assertFalse(cs.space(id(cs, "23.cv2.0.2")).prunable());
        assertFalse(cs.space(id(cs, "23.cv3.1.2")).prunable());
        assertFalse(cs.space(id(cs, "23.dfl.conv")).prunable());
        assertFalse(cs.space(id(cs, "10.cv1[1]")).prunable(), "PSA residual stream");
        assertFalse(cs.space(id(cs, "10.m.0.attn.qkv")).prunable());
        assertTrue(cs.space(id(cs, "10.cv1[0]")).prunable());
        assertTrue(cs.space(id(cs, "10.m.0.ffn.0")).prunable());
        assertFalse(cs.space(0).prunable(), "image");
        // YOLO11's depthwise class convs write the same channels as the layer they read
        Space p3 = cs.space(id(cs, "16.cv2"));
        assertTrue(
                p3.producers().stream()
                        .anyMatch(p -> p.convPath().equals("cv3.0.0.0") && p.depthwise()));
        assertTrue(cs.notes().isEmpty());
    }

    @Test
    void everyBuiltInConvIsWiredAndEveryPrunableSpaceHasABatchNormProducer() {
        for (String f : new String[] {"yolov8", "yolo11", "yolov5u"}) {
            for (String scale : new String[] {"n", "m"}) {
                ModelGraph g = GraphBuilder.build(ModelDefinition.bundled(f), scale, 80);
                ChannelSpaces cs = ChannelSpaces.of(g);
                assertTrue(cs.notes().isEmpty(), f + scale + ": " + cs.notes());
                for (LayerChannels lc : cs.layers()) {
                    assertEquals(g.layers().get(lc.layer()).convs().keySet(), lc.convs().keySet());
                    assertEquals(g.layers().get(lc.layer()).outChannels(), cs.width(lc.output()));
                }
                for (Space s : cs.prunable()) {
                    assertTrue(s.producers().stream().anyMatch(Producer::bn), s.name());
                }
            }
        }
    }

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
