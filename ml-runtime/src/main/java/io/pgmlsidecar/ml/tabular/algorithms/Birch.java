package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code birch} (written here, after scikit-learn's Birch): rows are inserted into a CF-tree of
 * clustering features (count, linear sum, squared norm sum) with {@code threshold} (0.5) on the merged
 * subcluster's radius and {@code branching_factor} (50) entries per node (nodes split around their two
 * farthest entries); the leaf subclusters are then grouped into {@code n_clusters} (3) by Ward
 * agglomerative clustering of their centroids ({@code n_clusters: null} keeps every subcluster).
 * New rows get the label of the nearest subcluster centroid.
 */
public final class Birch implements Estimator {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add(STORED_TYPE, 1, Birch::read);
    }

    static final String STORED_TYPE = "nearest_subcluster";

    @Serial
    private static final long serialVersionUID = 1L;

    private final double threshold;
    private final int branching;
    private final Integer nClusters;
    private double[][] centroids;
    private int[] centroidLabels;

    public Birch(Params p) {
        threshold = p.dbl("threshold", 0.5);
        branching = p.integer("branching_factor", 50);
        nClusters = p.optInt("n_clusters", 3);
        p.mark("compute_labels", "copy");
        if (branching < 2) {
            throw p.bad("branching_factor", branching, "> 1");
        }
    }

    /** A stored model's: threshold, branching_factor and n_clusters only matter to fitting. */
    private Birch(double[][] centroids, int[] centroidLabels) {
        this.threshold = 0;
        this.branching = 0;
        this.nClusters = null;
        this.centroids = centroids;
        this.centroidLabels = centroidLabels;
    }

    static Birch read(StateReader in) {
        double[][] centroids = Clustering.storedRows(in, "subcluster_centroids", true);
        return new Birch(centroids, Clustering.storedLabels(in, "subcluster_labels", centroids.length));
    }

    @Override
    public String storedType() {
        return STORED_TYPE;
    }

    /**
     * Stored type {@code nearest_subcluster}, version 1. A row gets the label of the nearest subcluster
     * centroid (squared Euclidean distance, the first of equally near ones). Fields:
     * <ul>
     * <li>{@code subcluster_centroids}: the centroid of each leaf subcluster of the CF-tree, one row of
     * feature values each</li>
     * <li>{@code subcluster_labels}: the cluster label of each subcluster (its Ward group, 0..n_clusters-1;
     * with n_clusters null, its own index), in {@code subcluster_centroids} order</li>
     * </ul>
     */
    @Override
    public void writeState(StateWriter out) {
        out.put("subcluster_centroids", centroids).put("subcluster_labels", centroidLabels);
    }

    private static final class Cf {
        int n;
        double[] ls;
        double ss;
        Node child;

        Cf(int d) {
            ls = new double[d];
        }

        Cf(double[] x) {
            n = 1;
            ls = x.clone();
            ss = Linalg.dot(x, x);
        }

        double[] centroid() {
            double[] c = new double[ls.length];
            for (int j = 0; j < c.length; j++) {
                c[j] = ls[j] / n;
            }
            return c;
        }

        void add(Cf o) {
            n += o.n;
            for (int j = 0; j < ls.length; j++) {
                ls[j] += o.ls[j];
            }
            ss += o.ss;
        }

        double radiusIfMerged(Cf o) {
            int m = n + o.n;
            double sq = 0;
            for (int j = 0; j < ls.length; j++) {
                double c = (ls[j] + o.ls[j]) / m;
                sq += c * c;
            }
            return Math.sqrt(Math.max(0, (ss + o.ss) / m - sq));
        }
    }

    private static final class Node {
        final boolean leaf;
        final List<Cf> entries = new ArrayList<>();

        Node(boolean leaf) {
            this.leaf = leaf;
        }
    }

    private static int closest(List<Cf> entries, double[] c) {
        int best = 0;
        double bd = Double.POSITIVE_INFINITY;
        for (int i = 0; i < entries.size(); i++) {
            double d = Linalg.sqDist(entries.get(i).centroid(), c);
            if (d < bd) {
                bd = d;
                best = i;
            }
        }
        return best;
    }

    /** Inserts; returns the two halves when {@code node} had to split, else null. */
    private Node[] insert(Node node, Cf point) {
        double[] c = point.centroid();
        if (node.leaf) {
            if (!node.entries.isEmpty()) {
                Cf near = node.entries.get(closest(node.entries, c));
                if (near.radiusIfMerged(point) <= threshold) {
                    near.add(point);
                    return null;
                }
            }
            node.entries.add(point);
        } else {
            Cf entry = node.entries.get(closest(node.entries, c));
            Node[] split = insert(entry.child, point);
            if (split == null) {
                entry.add(point);
                return null;
            }
            node.entries.remove(entry);
            node.entries.add(summary(split[0]));
            node.entries.add(summary(split[1]));
        }
        return node.entries.size() > branching ? split(node) : null;
    }

    private static Cf summary(Node n) {
        Cf s = new Cf(n.entries.get(0).ls.length);
        for (Cf e : n.entries) {
            s.add(e);
        }
        s.child = n;
        return s;
    }

    private static Node[] split(Node node) {
        List<Cf> es = node.entries;
        int a = 0;
        int b = 1;
        double far = -1;
        for (int i = 0; i < es.size(); i++) {
            for (int j = i + 1; j < es.size(); j++) {
                double d = Linalg.sqDist(es.get(i).centroid(), es.get(j).centroid());
                if (d > far) {
                    far = d;
                    a = i;
                    b = j;
                }
            }
        }
        Node l = new Node(node.leaf);
        Node r = new Node(node.leaf);
        double[] ca = es.get(a).centroid();
        double[] cb = es.get(b).centroid();
        for (int i = 0; i < es.size(); i++) {
            double[] c = es.get(i).centroid();
            boolean toLeft = i == a || (i != b && Linalg.sqDist(c, ca) <= Linalg.sqDist(c, cb));
            (toLeft ? l : r).entries.add(es.get(i));
        }
        return new Node[]{l, r};
    }

    private static void leaves(Node n, List<Cf> out) {
        if (n.leaf) {
            out.addAll(n.entries);
        } else {
            for (Cf e : n.entries) {
                leaves(e.child, out);
            }
        }
    }

    @Override
    public void fitUnsupervised(double[][] x, FitContext ctx) {
        Node root = new Node(true);
        for (int i = 0; i < x.length; i++) {
            if (i % 1024 == 0) {
                ctx.step("fit", "birch rows", i + 1, x.length);
            }
            Node[] split = insert(root, new Cf(x[i]));
            if (split != null) {
                root = new Node(false);
                root.entries.add(summary(split[0]));
                root.entries.add(summary(split[1]));
            }
        }
        List<Cf> subs = new ArrayList<>();
        leaves(root, subs);
        int m = subs.size();
        centroids = new double[m][];
        for (int i = 0; i < m; i++) {
            centroids[i] = subs.get(i).centroid();
        }
        if (nClusters == null) {
            centroidLabels = new int[m];
            for (int i = 0; i < m; i++) {
                centroidLabels[i] = i;
            }
            return;
        }
        if (m < nClusters) {
            throw new TabularException("birch found " + m + " subclusters, fewer than n_clusters = " + nClusters,
                    "lower threshold or n_clusters");
        }
        if (m > 5000) {
            throw new TabularException("birch found " + m + " subclusters; the final Ward step supports up to 5000", "raise threshold");
        }
        centroidLabels = ward(centroids, nClusters, ctx);
    }

    /** Ward agglomeration of points (unit weights) into k clusters (Lance–Williams updates). */
    static int[] ward(double[][] p, int k, FitContext ctx) {
        int m = p.length;
        double[][] d = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < i; j++) {
                d[i][j] = d[j][i] = Linalg.sqDist(p[i], p[j]);
            }
        }
        int[] size = new int[m];
        int[] parent = new int[m];
        boolean[] alive = new boolean[m];
        for (int i = 0; i < m; i++) {
            size[i] = 1;
            parent[i] = i;
            alive[i] = true;
        }
        for (int clusters = m; clusters > k; clusters--) {
            if (clusters % 64 == 0) {
                ctx.checkCancelled();
            }
            int bi = -1;
            int bj = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < m; i++) {
                if (!alive[i]) {
                    continue;
                }
                for (int j = i + 1; j < m; j++) {
                    if (alive[j] && d[i][j] < best) {
                        best = d[i][j];
                        bi = i;
                        bj = j;
                    }
                }
            }
            for (int q = 0; q < m; q++) {
                if (!alive[q] || q == bi || q == bj) {
                    continue;
                }
                double t = size[bi] + size[bj] + size[q];
                double nd = ((size[bi] + size[q]) * d[bi][q] + (size[bj] + size[q]) * d[bj][q] - size[q] * d[bi][bj]) / t;
                d[bi][q] = d[q][bi] = nd;
            }
            size[bi] += size[bj];
            alive[bj] = false;
            for (int q = 0; q < m; q++) {
                if (parent[q] == bj) {
                    parent[q] = bi;
                }
            }
        }
        int[] labels = new int[m];
        java.util.Map<Integer, Integer> ids = new java.util.HashMap<>();
        for (int i = 0; i < m; i++) {
            labels[i] = ids.computeIfAbsent(parent[i], key -> ids.size());
        }
        return labels;
    }

    @Override
    public int[] predictClasses(double[][] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = centroidLabels[Clustering.nearest(x[i], centroids)];
        }
        return out;
    }
}
