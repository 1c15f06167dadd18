package io.pgmlsidecar.ml.tune;

/**
 * AdamW as in torch.optim.AdamW, HF Trainer's default optimizer: Adam moments with bias correction
 * and weight decay decoupled from the gradient ({@code p -= lr * wd * p} before the Adam step).
 * One instance per parameter tensor.
 */
final class AdamW {
    private final double beta1, beta2, eps, weightDecay;
    private final double[] m, v;
    private long t;

    AdamW(int size, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new double[size];
        this.v = new double[size];
    }

    void step(double[] params, double[] grads, double lr) {
        t++;
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < params.length; i++) {
            double g = grads[i];
            params[i] -= lr * weightDecay * params[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            double mHat = m[i] / c1, vHat = v[i] / c2;
            params[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
    }
}
