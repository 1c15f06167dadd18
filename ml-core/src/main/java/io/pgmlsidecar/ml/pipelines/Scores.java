package io.pgmlsidecar.ml.pipelines;

/** Turning logits into scores the way transformers' pipelines do (numerically stable softmax). */
public final class Scores {
    private Scores() {}

    public static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = (float) (e[i] / sum);
        return out;
    }

    public static float[] sigmoid(float[] logits) {
        float[] out = new float[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = (float) (1.0 / (1.0 + Math.exp(-logits[i])));
        return out;
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
