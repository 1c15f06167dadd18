package io.pgmlsidecar.ml.pipelines;

/** Small vector helpers. */
public final class Vectors {
    private Vectors() {}

    /** L2-normalizes in place, like {@code torch.nn.functional.normalize} (a zero vector stays zero). */
    public static float[] normalize(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        double n = Math.max(Math.sqrt(s), 1e-12);
        for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] / n);
        return v;
    }

    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / (Math.sqrt(na) * Math.sqrt(nb));
    }

    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }
}
