package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.FitContext;
import io.pgmlsidecar.ml.tabular.TabularException;

import io.pgmlsidecar.ml.tabular.store.StateReader;
import io.pgmlsidecar.ml.tabular.store.StateWriter;

import java.io.Serial;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Linear regressors written here (the scikit-learn estimators PostgresML maps them to, same objective
 * and defaults): OLS, ridge, lasso / elastic net (coordinate descent), LARS and LARS-lasso, orthogonal
 * matching pursuit, Bayesian ridge, ARD, Huber (IRLS), quantile (IRLS on the pinball loss with L1),
 * RANSAC and Theil–Sen.
 */
public final class LinearModels {
    /** Readers of this family's stored states, by type and version (docs/model-format.md). */
    static void registerFormats(EstimatorFormats.Registry formats) {
        formats.add(LinearRegressor.STORED_TYPE, 1, Loaded::new);
    }

    private LinearModels() {
    }

    /** Shared state: coefficients and intercept; centring helpers. */
    public abstract static class LinearRegressor implements Estimator {
        @Serial
        private static final long serialVersionUID = 1L;
        protected double[] coef;
        protected double intercept;
        protected boolean fitIntercept = true;

        /** Every linear regressor predicts x·coef + intercept, however it was fitted: one stored type. */
        static final String STORED_TYPE = "linear_regressor";

        @Override
        public String storedType() {
            return STORED_TYPE;
        }

        /** {@code coef}: one weight per encoded feature; {@code intercept}. */
        @Override
        public void writeState(StateWriter out) {
            out.put("coef", coef).put("intercept", intercept);
        }

        @Override
        public double[] predictValues(double[][] x) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = Linalg.dot(coef, x[i]) + intercept;
            }
            return out;
        }

        public double[] coef() {
            return coef.clone();
        }

        public double intercept() {
            return intercept;
        }

        /** Centred copy of x and y (when fitting an intercept); returns {xMean, yMean}. */
        protected Centered center(double[][] x, double[] y) {
            int n = x.length;
            int d = x[0].length;
            double[] xm = fitIntercept ? Linalg.columnMeans(x) : new double[d];
            double ym = fitIntercept ? Linalg.mean(y) : 0;
            double[][] xc = new double[n][d];
            double[] yc = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    xc[i][j] = x[i][j] - xm[j];
                }
                yc[i] = y[i] - ym;
            }
            return new Centered(xc, yc, xm, ym);
        }

        protected void setIntercept(Centered c) {
            intercept = fitIntercept ? c.ym - Linalg.dot(coef, c.xm) : 0;
        }
    }

    /** A linear regressor read from its stored state: predicts, is never refitted. */
    static final class Loaded extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;

        Loaded(StateReader in) {
            coef = in.doubles("coef");
            intercept = in.getDouble("intercept");
        }
    }

    record Centered(double[][] x, double[] y, double[] xm, double ym) {
    }

    static double[] ridgeSolve(double[][] x, double[] y, double alpha, double[] w) {
        double[][] g = Linalg.gram(x, w);
        for (int i = 0; i < g.length; i++) {
            g[i][i] += alpha;
        }
        return Linalg.solveSpd(g, Linalg.xty(x, y, w));
    }

    /** {@code linear}: ordinary least squares. */
    public static final class Ols extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;

        public Ols(Params p) {
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("copy_X", "positive");
            if (p.has("positive") && p.bool("positive", false)) {
                throw new TabularException("linear: positive=true is not supported");
            }
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            Centered c = center(x, y);
            coef = ridgeSolve(c.x(), c.y(), 0, null);
            setIntercept(c);
        }
    }

    /** {@code ridge}: least squares with an L2 penalty alpha‖w‖². */
    public static final class Ridge extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final double alpha;

        public Ridge(Params p) {
            alpha = p.dbl("alpha", 1.0);
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("solver", "tol", "max_iter", "copy_X");
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            Centered c = center(x, y);
            coef = ridgeSolve(c.x(), c.y(), alpha, null);
            setIntercept(c);
        }
    }

    /**
     * {@code lasso} (l1_ratio = 1) and {@code elastic_net}: minimises
     * 1/(2n)‖y − Xw‖² + α·ρ‖w‖₁ + α(1 − ρ)/2‖w‖² by cyclic coordinate descent.
     */
    public static final class ElasticNet extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final double alpha;
        private final double l1Ratio;
        private final int maxIter;
        private final double tol;

        public ElasticNet(Params p, boolean lasso) {
            alpha = p.dbl("alpha", 1.0);
            l1Ratio = lasso ? 1.0 : p.dbl("l1_ratio", 0.5);
            maxIter = p.integer("max_iter", 1000);
            tol = p.dbl("tol", 1e-4);
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("selection", "warm_start", "precompute", "copy_X", "positive");
            if (l1Ratio < 0 || l1Ratio > 1) {
                throw p.bad("l1_ratio", l1Ratio, "between 0 and 1");
            }
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            Centered c = center(x, y);
            int n = x.length;
            int d = x[0].length;
            double[][] xc = c.x();
            double[] r = c.y().clone();
            double[] w = new double[d];
            double[] norm = new double[d];
            for (double[] row : xc) {
                for (int j = 0; j < d; j++) {
                    norm[j] += row[j] * row[j];
                }
            }
            double l1 = alpha * l1Ratio * n;
            double l2 = alpha * (1 - l1Ratio) * n;
            double yScale = Math.max(1e-12, Linalg.dot(c.y(), c.y()));
            for (int it = 0; it < maxIter; it++) {
                if (it % 10 == 0) {
                    ctx.checkCancelled();
                }
                double maxDelta = 0;
                double maxW = 0;
                for (int j = 0; j < d; j++) {
                    if (norm[j] == 0) {
                        continue;
                    }
                    double old = w[j];
                    double rho = 0;
                    for (int i = 0; i < n; i++) {
                        rho += xc[i][j] * r[i];
                    }
                    rho += norm[j] * old;
                    double nw = Math.signum(rho) * Math.max(Math.abs(rho) - l1, 0) / (norm[j] + l2);
                    if (nw != old) {
                        double delta = nw - old;
                        for (int i = 0; i < n; i++) {
                            r[i] -= delta * xc[i][j];
                        }
                        w[j] = nw;
                        maxDelta = Math.max(maxDelta, Math.abs(delta));
                    }
                    maxW = Math.max(maxW, Math.abs(nw));
                }
                if (maxW == 0 || maxDelta / maxW < tol || maxDelta * maxDelta * d < tol * yScale * 1e-8) {
                    break;
                }
            }
            coef = w;
            setIntercept(c);
        }
    }

    /**
     * {@code least_angle} (LARS, stops at n_nonzero_coefs) and {@code lasso_least_angle} (LARS with the
     * lasso modification, stops when the correlation level reaches alpha·n).
     */
    public static final class Lars extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final boolean lasso;
        private final double alpha;
        private final int nNonzero;
        private final int maxIter;

        public Lars(Params p, boolean lasso) {
            this.lasso = lasso;
            fitIntercept = p.bool("fit_intercept", true);
            alpha = lasso ? p.dbl("alpha", 1.0) : 0;
            nNonzero = lasso ? Integer.MAX_VALUE : p.integer("n_nonzero_coefs", 500);
            maxIter = lasso ? p.integer("max_iter", 500) : Integer.MAX_VALUE;
            p.mark("precompute", "eps", "copy_X", "fit_path", "jitter", "normalize", "positive");
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            Centered cc = center(x, y);
            double[][] xc = cc.x();
            int n = xc.length;
            int d = xc[0].length;
            double[] beta = new double[d];
            double[] mu = new double[n];
            List<Integer> active = new ArrayList<>();
            boolean[] inActive = new boolean[d];
            boolean[] dead = new boolean[d];
            double[] colNorm = new double[d];
            for (double[] row : xc) {
                for (int j = 0; j < d; j++) {
                    colNorm[j] += row[j] * row[j];
                }
            }
            for (int j = 0; j < d; j++) {
                dead[j] = colNorm[j] < 1e-20;
            }
            int maxActive = Math.min(d, Math.max(1, n - 1));
            int dropped = -1;
            for (int iter = 0; iter < Math.min(maxIter, 8 * d + 8); iter++) {
                ctx.checkCancelled();
                double[] c = new double[d];
                for (int i = 0; i < n; i++) {
                    double ri = cc.y()[i] - mu[i];
                    for (int j = 0; j < d; j++) {
                        c[j] += xc[i][j] * ri;
                    }
                }
                double cMax = 0;
                int jBest = -1;
                for (int j = 0; j < d; j++) {
                    if (!inActive[j] && !dead[j] && j != dropped && Math.abs(c[j]) > cMax) {
                        cMax = Math.abs(c[j]);
                        jBest = j;
                    }
                }
                double cLevel = 0;
                for (int j : active) {
                    cLevel = Math.max(cLevel, Math.abs(c[j]));
                }
                if (active.isEmpty()) {
                    cLevel = cMax;
                }
                if (lasso && cLevel <= alpha * n) {
                    break;
                }
                if (active.size() < maxActive && active.size() < nNonzero && jBest >= 0 && dropped < 0) {
                    active.add(jBest);
                    inActive[jBest] = true;
                    cLevel = Math.max(cLevel, cMax);
                } else if (active.size() >= nNonzero || active.size() >= maxActive) {
                    if (!lasso && active.size() >= nNonzero && nNonzero < maxActive) {
                        break;
                    }
                }
                dropped = -1;
                if (active.isEmpty()) {
                    break;
                }
                int k = active.size();
                double[] s = new double[k];
                for (int a = 0; a < k; a++) {
                    s[a] = Math.signum(c[active.get(a)]);
                    if (s[a] == 0) {
                        s[a] = 1;
                    }
                }
                double[][] g = new double[k][k];
                for (int i = 0; i < n; i++) {
                    for (int a = 0; a < k; a++) {
                        double va = xc[i][active.get(a)] * s[a];
                        for (int b = 0; b <= a; b++) {
                            g[a][b] += va * xc[i][active.get(b)] * s[b];
                        }
                    }
                }
                for (int a = 0; a < k; a++) {
                    for (int b = 0; b < a; b++) {
                        g[b][a] = g[a][b];
                    }
                }
                double[] ones = new double[k];
                Arrays.fill(ones, 1);
                double[] gi1 = Linalg.solveSpd(g, ones);
                double sum = 0;
                for (double v : gi1) {
                    sum += v;
                }
                if (!(sum > 0)) {
                    break;
                }
                double aA = 1 / Math.sqrt(sum);
                double[] w = new double[k];
                for (int a = 0; a < k; a++) {
                    w[a] = aA * gi1[a];
                }
                double[] u = new double[n];
                for (int i = 0; i < n; i++) {
                    double v = 0;
                    for (int a = 0; a < k; a++) {
                        v += xc[i][active.get(a)] * s[a] * w[a];
                    }
                    u[i] = v;
                }
                double gamma = cLevel / aA;
                if (active.size() < maxActive) {
                    for (int j = 0; j < d; j++) {
                        if (inActive[j] || dead[j]) {
                            continue;
                        }
                        double aj = 0;
                        for (int i = 0; i < n; i++) {
                            aj += xc[i][j] * u[i];
                        }
                        double g1 = (cLevel - c[j]) / (aA - aj);
                        double g2 = (cLevel + c[j]) / (aA + aj);
                        if (g1 > 1e-12 && g1 < gamma) {
                            gamma = g1;
                        }
                        if (g2 > 1e-12 && g2 < gamma) {
                            gamma = g2;
                        }
                    }
                }
                int drop = -1;
                if (lasso) {
                    for (int a = 0; a < k; a++) {
                        double dj = s[a] * w[a];
                        double gj = -beta[active.get(a)] / dj;
                        if (gj > 1e-12 && gj < gamma) {
                            gamma = gj;
                            drop = a;
                        }
                    }
                    double gStop = (cLevel - alpha * n) / aA;
                    if (gStop < gamma) {
                        gamma = Math.max(0, gStop);
                        drop = -2;
                    }
                }
                for (int a = 0; a < k; a++) {
                    beta[active.get(a)] += gamma * s[a] * w[a];
                }
                for (int i = 0; i < n; i++) {
                    mu[i] += gamma * u[i];
                }
                if (drop == -2) {
                    break;
                }
                if (drop >= 0) {
                    int j = active.remove(drop);
                    inActive[j] = false;
                    beta[j] = 0;
                    dropped = j;
                }
                if (!lasso && active.size() >= Math.min(nNonzero, maxActive) && gamma >= cLevel / aA - 1e-12) {
                    break;
                }
                if (gamma >= cLevel / aA - 1e-12 && active.size() >= maxActive) {
                    break;
                }
            }
            coef = beta;
            setIntercept(cc);
        }
    }

    /** {@code orthogonal_matching_pursuit}: greedy selection, least squares on the selected features. */
    public static final class Omp extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Integer nNonzero;
        private final Double tol;

        public Omp(Params p) {
            nNonzero = p.has("n_nonzero_coefs") ? p.integer("n_nonzero_coefs", 1) : null;
            tol = p.has("tol") ? p.dbl("tol", 0) : null;
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("n_nonzero_coefs", "tol", "precompute", "normalize");
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            Centered c = center(x, y);
            int n = x.length;
            int d = x[0].length;
            int k = nNonzero != null ? nNonzero : Math.max(1, (int) (0.1 * d));
            k = Math.min(k, Math.min(d, n));
            double[] r = c.y().clone();
            List<Integer> sel = new ArrayList<>();
            double[] w = new double[d];
            while (sel.size() < k) {
                ctx.checkCancelled();
                if (tol != null && Linalg.dot(r, r) <= tol) {
                    break;
                }
                int best = -1;
                double bestCorr = 0;
                for (int j = 0; j < d; j++) {
                    if (sel.contains(j)) {
                        continue;
                    }
                    double corr = 0;
                    double nn = 0;
                    for (int i = 0; i < n; i++) {
                        corr += c.x()[i][j] * r[i];
                        nn += c.x()[i][j] * c.x()[i][j];
                    }
                    double score = nn == 0 ? 0 : Math.abs(corr) / Math.sqrt(nn);
                    if (score > bestCorr) {
                        bestCorr = score;
                        best = j;
                    }
                }
                if (best < 0) {
                    break;
                }
                sel.add(best);
                double[][] xs = new double[n][sel.size()];
                for (int i = 0; i < n; i++) {
                    for (int a = 0; a < sel.size(); a++) {
                        xs[i][a] = c.x()[i][sel.get(a)];
                    }
                }
                double[] ws = ridgeSolve(xs, c.y(), 0, null);
                Arrays.fill(w, 0);
                for (int a = 0; a < sel.size(); a++) {
                    w[sel.get(a)] = ws[a];
                }
                for (int i = 0; i < n; i++) {
                    r[i] = c.y()[i] - Linalg.dot(xs[i], ws);
                }
            }
            coef = w;
            setIntercept(c);
        }
    }

    /** {@code bayesian_ridge}: evidence maximisation of the noise (alpha) and weight (lambda) precisions. */
    public static final class BayesianRidge extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final int maxIter;
        private final double tol;
        private final double a1;
        private final double a2;
        private final double l1;
        private final double l2;
        private final Double alphaInit;
        private final Double lambdaInit;

        public BayesianRidge(Params p) {
            maxIter = p.integer("max_iter", 300, "n_iter");
            tol = p.dbl("tol", 1e-3);
            a1 = p.dbl("alpha_1", 1e-6);
            a2 = p.dbl("alpha_2", 1e-6);
            l1 = p.dbl("lambda_1", 1e-6);
            l2 = p.dbl("lambda_2", 1e-6);
            alphaInit = p.has("alpha_init") ? p.dbl("alpha_init", 1) : null;
            lambdaInit = p.has("lambda_init") ? p.dbl("lambda_init", 1) : null;
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("alpha_init", "lambda_init", "compute_score", "copy_X");
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            Centered c = center(x, y);
            int n = x.length;
            int d = x[0].length;
            double[][] g = Linalg.gram(c.x(), null);
            double[] xty = Linalg.xty(c.x(), c.y(), null);
            Linalg.Eigen eig = Linalg.symmetricEigen(g);
            double var = Linalg.dot(c.y(), c.y()) / n;
            double alpha = alphaInit != null ? alphaInit : 1.0 / (var + 1e-12);
            double lambda = lambdaInit != null ? lambdaInit : 1.0;
            double[] w = new double[d];
            for (int it = 0; it < maxIter; it++) {
                ctx.checkCancelled();
                // w = (XᵀX + λ/α I)⁻¹ Xᵀy via the eigenbasis
                double[] proj = new double[d];
                for (int k = 0; k < d; k++) {
                    double s = 0;
                    for (int i = 0; i < d; i++) {
                        s += eig.vectors()[i][k] * xty[i];
                    }
                    proj[k] = s / (Math.max(eig.values()[k], 0) + lambda / alpha);
                }
                double[] nw = new double[d];
                for (int i = 0; i < d; i++) {
                    double s = 0;
                    for (int k = 0; k < d; k++) {
                        s += eig.vectors()[i][k] * proj[k];
                    }
                    nw[i] = s;
                }
                double rss = 0;
                for (int i = 0; i < n; i++) {
                    double e = c.y()[i] - Linalg.dot(c.x()[i], nw);
                    rss += e * e;
                }
                double gamma = 0;
                for (int k = 0; k < d; k++) {
                    double ev = Math.max(eig.values()[k], 0);
                    gamma += alpha * ev / (lambda + alpha * ev);
                }
                lambda = (gamma + 2 * l1) / (Linalg.dot(nw, nw) + 2 * l2);
                alpha = (n - gamma + 2 * a1) / (rss + 2 * a2);
                double change = 0;
                for (int i = 0; i < d; i++) {
                    change += Math.abs(nw[i] - w[i]);
                }
                w = nw;
                if (it > 0 && change < tol) {
                    break;
                }
            }
            coef = w;
            setIntercept(c);
        }
    }

    /** {@code automatic_relevance_determination}: ARD, one precision per weight; irrelevant weights are pruned. */
    public static final class Ard extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final int maxIter;
        private final double tol;
        private final double a1;
        private final double a2;
        private final double l1;
        private final double l2;
        private final double threshold;

        public Ard(Params p) {
            maxIter = p.integer("max_iter", 300, "n_iter");
            tol = p.dbl("tol", 1e-3);
            a1 = p.dbl("alpha_1", 1e-6);
            a2 = p.dbl("alpha_2", 1e-6);
            l1 = p.dbl("lambda_1", 1e-6);
            l2 = p.dbl("lambda_2", 1e-6);
            threshold = p.dbl("threshold_lambda", 1e4);
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("compute_score", "copy_X");
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            Centered c = center(x, y);
            int n = x.length;
            int d = x[0].length;
            double[][] g = Linalg.gram(c.x(), null);
            double[] xty = Linalg.xty(c.x(), c.y(), null);
            double var = Linalg.dot(c.y(), c.y()) / n;
            double alpha = 1.0 / (var + 1e-12);
            double[] lambda = new double[d];
            Arrays.fill(lambda, 1.0);
            boolean[] keep = new boolean[d];
            Arrays.fill(keep, true);
            double[] w = new double[d];
            for (int it = 0; it < maxIter; it++) {
                ctx.checkCancelled();
                int[] idx = java.util.stream.IntStream.range(0, d).filter(j -> keep[j]).toArray();
                int k = idx.length;
                double[] nw = new double[d];
                double[] sigmaDiag = new double[d];
                if (k > 0) {
                    double[][] a = new double[k][k];
                    for (int p = 0; p < k; p++) {
                        for (int q = 0; q < k; q++) {
                            a[p][q] = alpha * g[idx[p]][idx[q]];
                        }
                        a[p][p] += lambda[idx[p]];
                    }
                    double[][] chol = Linalg.cholesky(a, 1e-12);
                    if (chol == null) {
                        break;
                    }
                    double[] rhs = new double[k];
                    for (int p = 0; p < k; p++) {
                        rhs[p] = alpha * xty[idx[p]];
                    }
                    double[] sol = Linalg.cholSolve(chol, rhs);
                    for (int p = 0; p < k; p++) {
                        nw[idx[p]] = sol[p];
                        double[] e = new double[k];
                        e[p] = 1;
                        sigmaDiag[idx[p]] = Linalg.cholSolve(chol, e)[p];
                    }
                }
                double rss = 0;
                for (int i = 0; i < n; i++) {
                    double e = c.y()[i] - Linalg.dot(c.x()[i], nw);
                    rss += e * e;
                }
                double gammaSum = 0;
                for (int j : idx) {
                    double gam = 1 - lambda[j] * sigmaDiag[j];
                    gammaSum += gam;
                    lambda[j] = (gam + 2 * l1) / (nw[j] * nw[j] + 2 * l2);
                }
                alpha = (n - gammaSum + 2 * a1) / (rss + 2 * a2);
                for (int j : idx) {
                    if (lambda[j] > threshold) {
                        keep[j] = false;
                        nw[j] = 0;
                    }
                }
                double change = 0;
                for (int j = 0; j < d; j++) {
                    change += Math.abs(nw[j] - w[j]);
                }
                w = nw;
                if (it > 0 && change < tol) {
                    break;
                }
            }
            coef = w;
            setIntercept(c);
        }
    }

    /** {@code huber}: Huber M-estimator (IRLS with a robust scale from the median absolute residual), L2 alpha. */
    public static final class Huber extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final double epsilon;
        private final double alpha;
        private final int maxIter;
        private final double tol;

        public Huber(Params p) {
            epsilon = p.dbl("epsilon", 1.35);
            alpha = p.dbl("alpha", 1e-4);
            maxIter = p.integer("max_iter", 100);
            tol = p.dbl("tol", 1e-5);
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("warm_start");
            if (epsilon < 1) {
                throw p.bad("epsilon", epsilon, "≥ 1.0");
            }
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            int n = x.length;
            double[][] xa = withOnes(x, fitIntercept);
            double[] w = new double[n];
            Arrays.fill(w, 1);
            double[] beta = ridgeSolve(xa, y, alpha, w);
            for (int it = 0; it < maxIter; it++) {
                ctx.checkCancelled();
                double[] r = new double[n];
                for (int i = 0; i < n; i++) {
                    r[i] = Math.abs(y[i] - Linalg.dot(xa[i], beta));
                }
                double[] sr = r.clone();
                Arrays.sort(sr);
                double scale = Math.max(sr[n / 2] / 0.6745, 1e-12);
                for (int i = 0; i < n; i++) {
                    double z = r[i] / scale;
                    w[i] = z <= epsilon ? 1 : epsilon / z;
                }
                double[] nb = ridgeSolve(xa, y, alpha, w);
                double change = 0;
                for (int j = 0; j < nb.length; j++) {
                    change = Math.max(change, Math.abs(nb[j] - beta[j]));
                }
                beta = nb;
                if (change < tol) {
                    break;
                }
            }
            split(beta, x[0].length);
        }

        void split(double[] beta, int d) {
            coef = Arrays.copyOf(beta, d);
            intercept = fitIntercept ? beta[d] : 0;
        }
    }

    static double[][] withOnes(double[][] x, boolean ones) {
        if (!ones) {
            return x;
        }
        int d = x[0].length;
        double[][] out = new double[x.length][d + 1];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, out[i], 0, d);
            out[i][d] = 1;
        }
        return out;
    }

    /** {@code quantile}: minimises mean pinball loss + alpha‖w‖₁ (IRLS on smooth surrogates). */
    public static final class Quantile extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final double tau;
        private final double alpha;
        private final int maxIter;

        public Quantile(Params p) {
            tau = p.dbl("quantile", 0.5);
            alpha = p.dbl("alpha", 1.0);
            maxIter = p.integer("max_iter", 200);
            fitIntercept = p.bool("fit_intercept", true);
            p.mark("solver", "solver_options");
            if (tau <= 0 || tau >= 1) {
                throw p.bad("quantile", tau, "strictly between 0 and 1");
            }
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            int n = x.length;
            int d = x[0].length;
            double[][] xa = withOnes(x, fitIntercept);
            int m = xa[0].length;
            double[] beta = new double[m];
            if (fitIntercept) {
                double[] s = y.clone();
                Arrays.sort(s);
                beta[d] = s[Math.min(n - 1, (int) (tau * n))];
            }
            double eps = 1e-6;
            for (int it = 0; it < maxIter; it++) {
                ctx.checkCancelled();
                double[] a = new double[n];
                double[] rhs = new double[m];
                for (int i = 0; i < n; i++) {
                    double r = y[i] - Linalg.dot(xa[i], beta);
                    a[i] = 1.0 / (4 * n * Math.max(Math.abs(r), eps));
                }
                double[][] g = Linalg.gram(xa, a);
                double[] xay = Linalg.xty(xa, y, a);
                double b = (2 * tau - 1) / (2.0 * n);
                for (int j = 0; j < m; j++) {
                    double colSum = 0;
                    for (int i = 0; i < n; i++) {
                        colSum += xa[i][j];
                    }
                    rhs[j] = xay[j] + b / 2 * colSum;
                }
                for (int j = 0; j < d; j++) {
                    g[j][j] += alpha / (2 * Math.max(Math.abs(beta[j]), eps)) ;
                }
                double[] nb = Linalg.solveSpd(g, rhs);
                double change = 0;
                for (int j = 0; j < m; j++) {
                    change = Math.max(change, Math.abs(nb[j] - beta[j]));
                }
                beta = nb;
                if (change < 1e-8) {
                    break;
                }
            }
            for (int j = 0; j < d; j++) {
                if (Math.abs(beta[j]) < 1e-5) {
                    beta[j] = 0;
                }
            }
            coef = Arrays.copyOf(beta, d);
            intercept = fitIntercept ? beta[d] : 0;
        }
    }

    /** {@code ransac}: RANSAC around ordinary least squares; refit on the best consensus set. */
    public static final class Ransac extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final Double minSamples;
        private final Double threshold;
        private final int maxTrials;
        private final long seed;

        public Ransac(Params p) {
            minSamples = p.has("min_samples") ? p.dbl("min_samples", 0) : null;
            threshold = p.has("residual_threshold") ? p.dbl("residual_threshold", 0) : null;
            maxTrials = p.integer("max_trials", 100);
            seed = p.seed(0);
            p.mark("min_samples", "residual_threshold", "stop_n_inliers", "stop_score", "stop_probability", "loss", "max_skips");
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            int n = x.length;
            int d = x[0].length;
            int k = minSamples == null ? d + 1 : (minSamples < 1 ? (int) Math.ceil(minSamples * n) : minSamples.intValue());
            if (k > n) {
                throw new TabularException("ransac needs at least " + k + " training rows (min_samples), got " + n);
            }
            double thr;
            if (threshold != null) {
                thr = threshold;
            } else {
                double[] s = y.clone();
                Arrays.sort(s);
                double med = s[n / 2];
                double[] dev = new double[n];
                for (int i = 0; i < n; i++) {
                    dev[i] = Math.abs(y[i] - med);
                }
                Arrays.sort(dev);
                thr = dev[n / 2];
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            int bestCount = -1;
            double bestRss = Double.MAX_VALUE;
            boolean[] bestMask = null;
            for (int t = 0; t < maxTrials; t++) {
                ctx.checkCancelled();
                int[] idx = sample(n, k, rnd);
                double[][] xs = new double[k][];
                double[] ys = new double[k];
                for (int a = 0; a < k; a++) {
                    xs[a] = x[idx[a]];
                    ys[a] = y[idx[a]];
                }
                Ols m = new Ols(new Params("linear", java.util.Map.of()));
                try {
                    m.fitRegression(xs, ys, FitContext.none());
                } catch (TabularException e) {
                    continue;
                }
                double[] pred = m.predictValues(x);
                boolean[] mask = new boolean[n];
                int count = 0;
                double rss = 0;
                for (int i = 0; i < n; i++) {
                    double r = Math.abs(y[i] - pred[i]);
                    if (r <= thr) {
                        mask[i] = true;
                        count++;
                        rss += r * r;
                    }
                }
                if (count > bestCount || (count == bestCount && rss < bestRss)) {
                    bestCount = count;
                    bestRss = rss;
                    bestMask = mask;
                }
            }
            if (bestMask == null || bestCount < 1) {
                throw new TabularException("ransac found no consensus set; raise residual_threshold or max_trials");
            }
            List<double[]> xi = new ArrayList<>();
            List<Double> yi = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (bestMask[i]) {
                    xi.add(x[i]);
                    yi.add(y[i]);
                }
            }
            Ols m = new Ols(new Params("linear", java.util.Map.of()));
            m.fitRegression(xi.toArray(new double[0][]), yi.stream().mapToDouble(Double::doubleValue).toArray(), ctx);
            coef = m.coef;
            intercept = m.intercept;
        }
    }

    static int[] sample(int n, int k, SplittableRandom rnd) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, k);
    }

    /** {@code theil_sen}: spatial median (Weiszfeld) of least-squares fits on random subsets of d+1 rows. */
    public static final class TheilSen extends LinearRegressor {
        @Serial
        private static final long serialVersionUID = 1L;
        private final int maxSubpopulation;
        private final Integer nSubsamples;
        private final int maxIter;
        private final double tol;
        private final long seed;

        public TheilSen(Params p) {
            maxSubpopulation = (int) p.dbl("max_subpopulation", 1e4);
            nSubsamples = p.has("n_subsamples") ? p.integer("n_subsamples", 0) : null;
            maxIter = p.integer("max_iter", 300);
            tol = p.dbl("tol", 1e-3);
            fitIntercept = p.bool("fit_intercept", true);
            seed = p.seed(0);
            p.mark("n_subsamples", "copy_X");
        }

        @Override
        public void fitRegression(double[][] x, double[] y, FitContext ctx) {
            int n = x.length;
            int d = x[0].length;
            int m = d + (fitIntercept ? 1 : 0);
            int k = nSubsamples != null ? nSubsamples : m;
            if (k < m || k > n) {
                throw new TabularException("theil_sen needs n_subsamples between " + m + " and the number of rows (" + n + ")");
            }
            double[][] xa = withOnes(x, fitIntercept);
            SplittableRandom rnd = new SplittableRandom(seed);
            int subsets = maxSubpopulation;
            double comb = 1;
            for (int i = 0; i < k && comb < subsets; i++) {
                comb = comb * (n - i) / (i + 1);
            }
            subsets = (int) Math.max(1, Math.min(subsets, comb));
            List<double[]> fits = new ArrayList<>();
            for (int s = 0; s < subsets; s++) {
                if (s % 100 == 0) {
                    ctx.checkCancelled();
                }
                int[] idx = sample(n, k, rnd);
                double[][] xs = new double[k][];
                double[] ys = new double[k];
                for (int a = 0; a < k; a++) {
                    xs[a] = xa[idx[a]];
                    ys[a] = y[idx[a]];
                }
                try {
                    fits.add(ridgeSolve(xs, ys, 0, null));
                } catch (TabularException ignored) {
                    // singular subset
                }
            }
            if (fits.isEmpty()) {
                throw new TabularException("theil_sen: every subset was singular; the features may be constant");
            }
            double[] med = new double[m];
            for (double[] f : fits) {
                for (int j = 0; j < m; j++) {
                    med[j] += f[j] / fits.size();
                }
            }
            for (int it = 0; it < maxIter; it++) {
                double[] num = new double[m];
                double den = 0;
                for (double[] f : fits) {
                    double dist = Math.sqrt(Linalg.sqDist(f, med));
                    if (dist < 1e-12) {
                        continue;
                    }
                    for (int j = 0; j < m; j++) {
                        num[j] += f[j] / dist;
                    }
                    den += 1 / dist;
                }
                if (den == 0) {
                    break;
                }
                double[] nm = new double[m];
                for (int j = 0; j < m; j++) {
                    nm[j] = num[j] / den;
                }
                double change = Math.sqrt(Linalg.sqDist(nm, med));
                med = nm;
                if (change < tol) {
                    break;
                }
            }
            coef = Arrays.copyOf(med, d);
            intercept = fitIntercept ? med[d] : 0;
        }
    }
}
