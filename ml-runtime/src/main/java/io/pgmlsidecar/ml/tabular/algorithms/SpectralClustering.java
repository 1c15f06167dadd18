package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;
import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code spectral} (written here, after scikit-learn's SpectralClustering with affinity "rbf",
 * assign_labels "kmeans"): affinity W = exp(−gamma‖xᵢ − xⱼ‖²) (gamma 1.0), the {@code n_clusters} (8)
 * leading eigenvectors of D^-½ W D^-½ (orthogonal iteration + Rayleigh–Ritz), rows scaled by D^-½ as
 * scikit-learn's spectral embedding does, then k-means (n_init 10) on that embedding. scikit-learn has no
 * predict for it (PostgresML does not dispatch it); here a new row gets the label of its nearest
 * training row. O(n²) memory: refused above 3,000 training rows.
 */
public final class SpectralClustering implements Estimator {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add(STORED_TYPE, 1, SpectralClustering::read);
    }

    static final String STORED_TYPE = "nearest_training_row";

    @Serial
    private static final long serialVersionUID = 1L;
    static final int MAX_ROWS = 3000;

    private final int k;
    private final double gamma;
    private final int nInit;
    private final long seed;
    private double[][] xTrain;
    private int[] labels;

    public SpectralClustering(Params p) {
        k = p.integer("n_clusters", 8);
        gamma = p.dbl("gamma", 1.0);
        nInit = p.integer("n_init", 10);
        seed = p.seed(0);
        p.str("affinity", "rbf", "rbf");
        p.str("assign_labels", "kmeans", "kmeans");
        p.mark("eigen_solver", "n_components", "eigen_tol", "n_neighbors", "degree", "coef0", "kernel_params");
    }

    /** A stored model's: n_clusters, gamma, n_init and the seed only matter to fitting. */
    private SpectralClustering(double[][] xTrain, int[] labels) {
        this.k = 0;
        this.gamma = 0;
        this.nInit = 0;
        this.seed = 0;
        this.xTrain = xTrain;
        this.labels = labels;
    }

    static SpectralClustering read(StateReader in) {
        double[][] rows = Clustering.storedRows(in, "training_rows", true);
        return new SpectralClustering(rows, Clustering.storedLabels(in, "training_labels", rows.length));
    }

    @Override
    public String storedType() {
        return STORED_TYPE;
    }

    /**
     * Stored type {@code nearest_training_row}, version 1. A row gets the label of the nearest training row
     * (squared Euclidean distance, the first of equally near ones). Fields:
     * <ul>
     * <li>{@code training_rows}: the (preprocessed) training rows, one row of feature values each</li>
     * <li>{@code training_labels}: the cluster label (0..n_clusters-1) the fit gave each training row, in
     * {@code training_rows} order</li>
     * </ul>
     */
    @Override
    public void writeState(StateWriter out) {
        out.put("training_rows", xTrain).put("training_labels", labels);
    }

    @Override
    public void fitUnsupervised(double[][] x, FitContext ctx) {
        int n = x.length;
        if (n > MAX_ROWS) {
            throw new TabularException("spectral clustering needs O(n²) memory; " + n + " training rows is over its limit of " + MAX_ROWS,
                    "train on a sample, or use kmeans / mini_batch_kmeans");
        }
        Clustering.checkClusters(k, n, "spectral");
        double[][] w = new double[n][n];
        double[] deg = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = Math.exp(-gamma * Linalg.sqDist(x[i], x[j]));
                w[i][j] = w[j][i] = v;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                deg[i] += w[i][j];
            }
        }
        double[] dInvSqrt = new double[n];
        for (int i = 0; i < n; i++) {
            dInvSqrt[i] = deg[i] > 0 ? 1 / Math.sqrt(deg[i]) : 0;
        }
        // M = D^-½ W D^-½ + I (eigenvalues in [0, 2], the wanted ones largest)
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                w[i][j] *= dInvSqrt[i] * dInvSqrt[j];
            }
            w[i][i] += 1;
        }
        int m = Math.min(n, k);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] q = new double[n][m];
        for (double[] row : q) {
            for (int c = 0; c < m; c++) {
                row[c] = rnd.nextGaussian();
            }
        }
        orthonormalize(q);
        for (int it = 0; it < 300; it++) {
            if (it % 20 == 0) {
                ctx.step("fit", "spectral embedding iteration", it + 1, 300);
            }
            double[][] z = new double[n][m];
            for (int i = 0; i < n; i++) {
                double[] wi = w[i];
                for (int j = 0; j < n; j++) {
                    double a = wi[j];
                    if (a == 0) {
                        continue;
                    }
                    double[] qj = q[j];
                    for (int c = 0; c < m; c++) {
                        z[i][c] += a * qj[c];
                    }
                }
            }
            orthonormalize(z);
            double change = 0;
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < m; c++) {
                    change = Math.max(change, Math.abs(Math.abs(z[i][c]) - Math.abs(q[i][c])));
                }
            }
            q = z;
            if (change < 1e-9) {
                break;
            }
        }
        // embedding: eigenvector rows scaled by D^-½, as scikit-learn's spectral_embedding
        double[][] emb = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < m; c++) {
                emb[i][c] = q[i][c] * dInvSqrt[i];
            }
        }
        Clustering.KMeans km = new Clustering.KMeans(new Params("kmeans", Map.of("n_clusters", k, "n_init", nInit, "random_state", seed)));
        km.fitUnsupervised(emb, ctx);
        labels = km.predictClasses(emb);
        xTrain = x;
    }

    /** Modified Gram–Schmidt on the columns. */
    private static void orthonormalize(double[][] a) {
        int n = a.length;
        int m = a[0].length;
        for (int c = 0; c < m; c++) {
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += a[i][c] * a[i][p];
                }
                for (int i = 0; i < n; i++) {
                    a[i][c] -= dot * a[i][p];
                }
            }
            double norm = 0;
            for (int i = 0; i < n; i++) {
                norm += a[i][c] * a[i][c];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                a[i][c] = norm == 0 ? 0 : a[i][c] / norm;
            }
        }
    }

    @Override
    public int[] predictClasses(double[][] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = labels[Clustering.nearest(x[i], xTrain)];
        }
        return out;
    }
}
