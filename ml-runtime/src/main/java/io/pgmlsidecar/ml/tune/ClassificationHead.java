package io.pgmlsidecar.ml.tune;

import java.util.Arrays;

/**
 * A linear classification head {@code logits = W x + b} (softmax regression), like the
 * {@code classifier} Linear layer of a Hugging Face {@code ...ForSequenceClassification} model.
 * Weights are kept in double precision while training and exported as float.
 */
public final class ClassificationHead {
    private final int inputSize;
    private final int numLabels;
    /** Row-major {@code [numLabels, inputSize]}, like torch's Linear.weight. */
    final double[] weight;
    final double[] bias;

    public ClassificationHead(int inputSize, int numLabels) {
        this.inputSize = inputSize;
        this.numLabels = numLabels;
        this.weight = new double[numLabels * inputSize];
        this.bias = new double[numLabels];
    }

    /** HF's initialization of a classifier layer: weights ~ N(0, std), biases 0. */
    static ClassificationHead initialized(int inputSize, int numLabels, double std, java.util.Random random) {
        ClassificationHead h = new ClassificationHead(inputSize, numLabels);
        for (int i = 0; i < h.weight.length; i++) h.weight[i] = random.nextGaussian() * std;
        return h;
    }

    public int inputSize() {
        return inputSize;
    }

    public int numLabels() {
        return numLabels;
    }

    /** The weight row of one label (a copy). */
    public double[] weightRow(int label) {
        return Arrays.copyOfRange(weight, label * inputSize, (label + 1) * inputSize);
    }

    public double[] bias() {
        return bias.clone();
    }

    public double[] logits(float[] x) {
        if (x.length != inputSize) throw new IllegalArgumentException("vector has " + x.length + " values, head expects " + inputSize);
        double[] out = new double[numLabels];
        for (int c = 0; c < numLabels; c++) {
            double s = bias[c];
            int base = c * inputSize;
            for (int j = 0; j < inputSize; j++) s += weight[base + j] * x[j];
            out[c] = s;
        }
        return out;
    }

    public int predict(float[] x) {
        return argmax(logits(x));
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** Cross-entropy of the logits against the true class (log-sum-exp form, stable for large logits). */
    static double crossEntropy(double[] logits, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) max = Math.max(max, l);
        double sum = 0;
        for (double l : logits) sum += Math.exp(l - max);
        return Math.log(sum) + max - logits[label];
    }

    /** Loss and predictions on a set of vectors. */
    public ClassificationMetrics evaluate(float[][] vectors, int[] labels) {
        int[] predicted = new int[vectors.length];
        double loss = 0;
        for (int i = 0; i < vectors.length; i++) {
            double[] l = logits(vectors[i]);
            predicted[i] = argmax(l);
            loss += crossEntropy(l, labels[i]);
        }
        return ClassificationMetrics.of(predicted, labels, numLabels, vectors.length == 0 ? Double.NaN : loss / vectors.length);
    }
}
