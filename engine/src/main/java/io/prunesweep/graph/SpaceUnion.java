package io.prunesweep.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Union-find over channel vectors ("leaves") with refinement. A tensor is a list of leaves (a
 * concatenation); tying two tensors channel by channel (a residual add, a depthwise conv) unions
 * their leaves pairwise, and when the two concatenations' boundaries do not line up the larger
 * leaf's whole class is split at the boundary first. So every class ends up a set of equally wide,
 * channel-aligned leaves: one channel space.
 */
final class SpaceUnion {
    private int n;
    private int[] parent = new int[256];
    private int[] width = new int[256];
    private int[] layerOf = new int[256];
    private String[] name = new String[256];
    private String[] frozenBy = new String[256];
    private int[][] children = new int[256][];
    private final Map<Integer, List<Integer>> members = new HashMap<>();

    int size() {
        return n;
    }

    int fresh(int w, int layer, String leafName, String frozen) {
        if (n == parent.length) {
            grow();
        }
        parent[n] = n;
        width[n] = w;
        layerOf[n] = layer;
        name[n] = leafName;
        frozenBy[n] = frozen;
        List<Integer> m = new ArrayList<>();
        m.add(n);
        members.put(n, m);
        return n++;
    }

    private void grow() {
        int c = parent.length * 2;
        parent = Arrays.copyOf(parent, c);
        width = Arrays.copyOf(width, c);
        layerOf = Arrays.copyOf(layerOf, c);
        name = Arrays.copyOf(name, c);
        frozenBy = Arrays.copyOf(frozenBy, c);
        children = Arrays.copyOf(children, c);
    }

    int find(int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    boolean isLeaf(int x) {
        return children[x] == null;
    }

    int width(int leaf) {
        return width[leaf];
    }

    int layerOf(int leaf) {
        return layerOf[leaf];
    }

    String name(int leaf) {
        return name[leaf];
    }

    String frozenBy(int leaf) {
        return frozenBy[leaf];
    }

    /** The current leaves of a tensor (split leaves replaced by their pieces). */
    List<Integer> resolve(List<Integer> tensor) {
        List<Integer> out = new ArrayList<>(tensor.size());
        for (int x : tensor) {
            expand(x, out);
        }
        return out;
    }

    private void expand(int x, List<Integer> out) {
        if (children[x] == null) {
            out.add(x);
        } else {
            for (int c : children[x]) {
                expand(c, out);
            }
        }
    }

    int width(List<Integer> tensor) {
        int w = 0;
        for (int x : tensor) {
            w += width[x];
        }
        return w;
    }

    void freeze(List<Integer> tensor, String why) {
        for (int x : resolve(tensor)) {
            if (frozenBy[x] == null) {
                frozenBy[x] = why;
            }
        }
    }

    /** Channel i of {@code a} is channel i of {@code b}; the tensors must be equally wide. */
    void tie(List<Integer> a, List<Integer> b) {
        if (width(a) != width(b)) {
            throw new IllegalArgumentException(
                    "cannot tie tensors of " + width(a) + " and " + width(b) + " channels");
        }
        while (true) {
            List<Integer> ra = resolve(a);
            List<Integer> rb = resolve(b);
            int i = 0;
            int j = 0;
            boolean changed = false;
            while (i < ra.size() && j < rb.size()) {
                int x = ra.get(i);
                int y = rb.get(j);
                if (width[x] == width[y]) {
                    union(x, y);
                    i++;
                    j++;
                } else {
                    // boundaries differ: cut the wider leaf's class where the narrower one ends,
                    // then start over
                    if (width[x] > width[y]) {
                        splitClass(x, width[y]);
                    } else {
                        splitClass(y, width[x]);
                    }
                    changed = true;
                    break;
                }
            }
            if (!changed) {
                return;
            }
        }
    }

    private void union(int x, int y) {
        int rx = find(x);
        int ry = find(y);
        if (rx == ry) {
            return;
        }
        if (rx > ry) {
            int t = rx;
            rx = ry;
            ry = t;
        }
        parent[ry] = rx;
        members.get(rx).addAll(members.remove(ry));
    }

    /**
     * Splits every leaf of {@code leaf}'s class into [0, at) and [at, width); the pieces form two
     * classes.
     */
    private void splitClass(int leaf, int at) {
        int root = find(leaf);
        List<Integer> ms = members.remove(root);
        int first = -1;
        int second = -1;
        for (int m : ms) {
            int w = width[m];
            int p1 = fresh(at, layerOf[m], name[m], frozenBy[m]);
            int p2 = fresh(w - at, layerOf[m], name[m] + "@" + at, frozenBy[m]);
            children[m] = new int[] {p1, p2};
            if (first < 0) {
                first = p1;
                second = p2;
            } else {
                union(first, p1);
                union(second, p2);
            }
        }
    }
}
