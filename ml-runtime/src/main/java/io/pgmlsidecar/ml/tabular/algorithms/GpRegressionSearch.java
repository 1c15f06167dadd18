package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

import java.util.Random;

/**
 * Chooses the kernel amplitude · RBF(length_scale) + noise of {@code gaussian_process} regression by the
 * exact log marginal likelihood over a log grid (decision 0023c). One symmetric eigen-decomposition
 * R = Q Λ Qᵀ of the RBF matrix per length scale makes every (amplitude, noise) point O(n): with z = Qᵀy,
 * log p(y) = −½ Σ zᵢ² / (amp λᵢ + σ²) − ½ Σ log(amp λᵢ + σ²) − n/2 log 2π. When the noise is searched
 * it is written σ² = amp · r, so the best amplitude for each ratio r is closed-form (amp = Σ zᵢ²/(λᵢ + r) / n).
 * The search runs on at most {@value #SEARCH_ROWS} rows (fixed seed): the hyperparameters are per-row
 * quantities, and eigen-decompositions of all 5,000 allowed rows would cost minutes.
 */
final class GpRegressionSearch {
    static final int SEARCH_ROWS = 500;
    /** scikit-learn's bounds of both the constant kernel and the RBF length scale. */
    private static final double LOWER = 1e-5;
    private static final double UPPER = 1e5;

    /** The chosen hyperparameters; {@code noise} is the variance added to the kernel's diagonal. */
    record Choice(double amplitude, double lengthScale, double noise, double logLikelihood) {
    }

    private GpRegressionSearch() {
    }

    /**
     * @param y     targets, standardised or not
     * @param noise the fixed noise variance (the user's alpha), or null to search it with the other two
     */
    static Choice search(double[][] x, double[] y, Double noise, FitContext ctx) {
        int[] rows = sample(x.length);
        int n = rows.length;
        double[] sqDist = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                sqDist[i * n + j] = sqDist[j * n + i] = Linalg.sqDist(x[rows[i]], x[rows[j]]);
            }
        }
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            ys[i] = y[rows[i]];
        }
        Choice best = null;
        // length scales 1e-3 … 1e3 at quarter decades (the features may be scaled to ~0.05, as diabetes', or not)
        int lengths = 25;
        for (int li = 0; li < lengths; li++) {
            double ell = Math.pow(10, (li - 12) / 4.0);
            ctx.step("fit", "gaussian process hyperparameter search", li + 1, lengths);
            ctx.checkCancelled();
            double[][] eig = eigen(sqDist, n, ell, ys);
            if (eig == null) {
                continue;
            }
            double[] lambda = eig[0];
            double[] z2 = eig[1];
            Choice c = noise == null ? bestWithNoise(lambda, z2, ell) : bestWithFixedNoise(lambda, z2, ell, noise);
            if (c != null && (best == null || c.logLikelihood() > best.logLikelihood())) {
                best = c;
            }
        }
        return best;
    }

    /** Noise searched as a ratio r = σ² / amp from 1e-10 (the fixed alpha of scikit-learn) to 10. */
    private static Choice bestWithNoise(double[] lambda, double[] z2, double ell) {
        int n = lambda.length;
        Choice best = null;
        for (int ri = -20; ri <= 2; ri++) {
            double r = Math.pow(10, ri / 2.0);
            double quad = 0;
            double logDet = 0;
            boolean ok = true;
            for (int i = 0; i < n && ok; i++) {
                double d = lambda[i] + r;
                ok = d > 0;
                quad += z2[i] / d;
                logDet += Math.log(d);
            }
            if (!ok) {
                continue;
            }
            double amp = Math.min(UPPER, Math.max(LOWER, quad / n));
            double ll = -0.5 * quad / amp - 0.5 * n * Math.log(amp) - 0.5 * logDet;
            if (best == null || ll > best.logLikelihood()) {
                best = new Choice(amp, ell, amp * r, ll);
            }
        }
        return best;
    }

    /** The user's alpha as the noise: the amplitude over the kernel's bounds at quarter decades. */
    private static Choice bestWithFixedNoise(double[] lambda, double[] z2, double ell, double noise) {
        int n = lambda.length;
        Choice best = null;
        for (int ai = -20; ai <= 20; ai++) {
            double amp = Math.pow(10, ai / 4.0);
            double ll = 0;
            boolean ok = true;
            for (int i = 0; i < n && ok; i++) {
                double d = amp * lambda[i] + noise;
                ok = d > 0;
                ll -= 0.5 * (z2[i] / d + Math.log(d));
            }
            if (ok && (best == null || ll > best.logLikelihood())) {
                best = new Choice(amp, ell, noise, ll);
            }
        }
        return best;
    }

    /** Eigenvalues of exp(−d / 2ℓ²) and the squared projections of y on its eigenvectors; null if it fails. */
    private static double[][] eigen(double[] sqDist, int n, double ell, double[] y) {
        double scale = -1 / (2 * ell * ell);
        DMatrixRMaj r = new DMatrixRMaj(n, n);
        double[] data = r.getData();
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.exp(sqDist[i] * scale);
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(r)) {
            return null;
        }
        double[] lambda = new double[n];
        double[] z2 = new double[n];
        for (int k = 0; k < n; k++) {
            lambda[k] = eig.getEigenvalue(k).getReal();
            DMatrixRMaj v = eig.getEigenVector(k);
            if (v == null) {
                return null;
            }
            double z = 0;
            for (int i = 0; i < n; i++) {
                z += v.get(i) * y[i];
            }
            z2[k] = z * z;
        }
        return new double[][]{lambda, z2};
    }

    private static int[] sample(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        if (n <= SEARCH_ROWS) {
            return all;
        }
        Random random = new Random(42);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] s = java.util.Arrays.copyOf(all, SEARCH_ROWS);
        java.util.Arrays.sort(s);
        return s;
    }
}
