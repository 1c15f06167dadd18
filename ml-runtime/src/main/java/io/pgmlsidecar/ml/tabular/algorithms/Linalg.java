package io.pgmlsidecar.ml.tabular.algorithms;

import io.pgmlsidecar.ml.tabular.TabularException;

/** Small dense linear algebra for the linear models, PCA and kernels (row-major double[][]). */
public final class Linalg {
    private Linalg() {
    }

    /** Solves A x = b for symmetric positive (semi-)definite A by Cholesky, adding jitter if needed. */
    public static double[] solveSpd(double[][] a, double[] b) {
        int n = a.length;
        double jitter = 0;
        double diagMean = 0;
        for (int i = 0; i < n; i++) {
            diagMean += Math.abs(a[i][i]);
        }
        diagMean = n == 0 ? 1 : Math.max(diagMean / n, 1e-300);
        for (int attempt = 0; attempt < 12; attempt++) {
            double[][] l = cholesky(a, jitter);
            if (l != null) {
                return cholSolve(l, b);
            }
            jitter = jitter == 0 ? diagMean * 1e-12 : jitter * 100;
        }
        throw new TabularException("the system of equations is singular; the features may be constant or duplicated");
    }

    public static double[][] cholesky(double[][] a, double jitter) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j] + (i == j ? jitter : 0);
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0) || Double.isNaN(s)) {
                        return null;
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    public static double[] cholSolve(double[][] l, double[] b) {
        int n = l.length;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < n; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }

    /** Xᵀ W X for rows (weights may be null). */
    public static double[][] gram(double[][] x, double[] w) {
        int d = x.length == 0 ? 0 : x[0].length;
        double[][] g = new double[d][d];
        for (int r = 0; r < x.length; r++) {
            double[] row = x[r];
            double wr = w == null ? 1 : w[r];
            for (int i = 0; i < d; i++) {
                double v = row[i] * wr;
                if (v == 0) {
                    continue;
                }
                for (int j = 0; j <= i; j++) {
                    g[i][j] += v * row[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                g[j][i] = g[i][j];
            }
        }
        return g;
    }

    public static double[] xty(double[][] x, double[] y, double[] w) {
        int d = x.length == 0 ? 0 : x[0].length;
        double[] out = new double[d];
        for (int r = 0; r < x.length; r++) {
            double wy = y[r] * (w == null ? 1 : w[r]);
            for (int i = 0; i < d; i++) {
                out[i] += x[r][i] * wy;
            }
        }
        return out;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * Symmetric eigen-decomposition by cyclic Jacobi rotations. Returns eigenvalues (descending) and
     * eigenvectors as columns of {@code vectors} (vectors[i][k] = component i of eigenvector k).
     */
    public static Eigen symmetricEigen(double[][] input) {
        int n = input.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = input[i].clone();
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    off += a[i][j] * a[i][j];
                }
            }
            if (off < 1e-22) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(a[p][q]) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        final double[][] fa = a;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(fa[y][y], fa[x][x]));
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int k = 0; k < n; k++) {
            values[k] = a[order[k]][order[k]];
            for (int i = 0; i < n; i++) {
                vectors[i][k] = v[i][order[k]];
            }
        }
        return new Eigen(values, vectors);
    }

    public record Eigen(double[] values, double[][] vectors) {
    }

    public static double[] columnMeans(double[][] x) {
        int d = x.length == 0 ? 0 : x[0].length;
        double[] m = new double[d];
        for (double[] r : x) {
            for (int j = 0; j < d; j++) {
                m[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            m[j] /= Math.max(1, x.length);
        }
        return m;
    }

    public static double mean(double[] y) {
        double s = 0;
        for (double v : y) {
            s += v;
        }
        return y.length == 0 ? 0 : s / y.length;
    }

    public static double sqDist(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s;
    }
}
