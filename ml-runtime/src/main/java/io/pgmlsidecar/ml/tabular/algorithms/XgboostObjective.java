package io.pgmlsidecar.ml.tabular.algorithms;

/**
 * What an XGBoost objective does around the tree sums, as XGBoost itself computes it (float arithmetic):
 * {@code ProbToMargin} turns {@code base_score} into the starting margin, {@code PredTransform} turns the
 * margins into what {@code inplace_predict} returns. Objectives not listed here are not evaluated in Java.
 */
enum XgboostObjective {
    /** Margins as they are; base_score is a margin too (binary:logitraw included, measured on XGBoost 3.0.4). */
    IDENTITY,
    /** Sigmoid of the margin; base_score is a probability. */
    LOGISTIC,
    /** Log link (poisson, gamma, tweedie): exp of the margin. */
    EXP,
    /** Softmax over the class margins. */
    SOFTPROB,
    /** Index of the largest class margin, as one float. */
    SOFTMAX;

    /** The objective of {@code learner.objective.name}, or null when it is not evaluated in Java. */
    static XgboostObjective named(String name) {
        return switch (name) {
            case "reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror", "reg:absoluteerror", "binary:logitraw" -> IDENTITY;
            case "binary:logistic", "reg:logistic" -> LOGISTIC;
            case "count:poisson", "reg:gamma", "reg:tweedie" -> EXP;
            case "multi:softprob" -> SOFTPROB;
            case "multi:softmax" -> SOFTMAX;
            default -> null;
        };
    }

    float baseMargin(float baseScore) {
        return switch (this) {
            case LOGISTIC -> (float) -Math.log(1.0f / baseScore - 1.0f);
            case EXP -> (float) Math.log(baseScore);
            default -> baseScore;
        };
    }

    /** Values per row for {@code groups} output groups (one margin per class, or one). */
    int outputWidth(int groups) {
        return this == SOFTMAX ? 1 : groups;
    }

    /** Writes the prediction for one row's margins into {@code out} (length {@link #outputWidth}). */
    void transform(float[] margins, float[] out) {
        switch (this) {
            case IDENTITY -> System.arraycopy(margins, 0, out, 0, margins.length);
            case LOGISTIC -> {
                for (int i = 0; i < margins.length; i++) {
                    out[i] = sigmoid(margins[i]);
                }
            }
            case EXP -> {
                for (int i = 0; i < margins.length; i++) {
                    out[i] = (float) Math.exp(margins[i]);
                }
            }
            case SOFTPROB -> softmax(margins, out);
            case SOFTMAX -> out[0] = argmax(margins);
        }
    }

    private static float sigmoid(float margin) {
        // XGBoost clamps the exponent so that exp never overflows to infinity
        float exponent = Math.min(-margin, 88.7f);
        return 1.0f / ((float) Math.exp(exponent) + 1.0f);
    }

    private static void softmax(float[] margins, float[] out) {
        float max = margins[0];
        for (float m : margins) {
            max = Math.max(max, m);
        }
        double sum = 0;  // XGBoost sums the exponentials in double, the rest in float
        for (int i = 0; i < margins.length; i++) {
            out[i] = (float) Math.exp(margins[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < margins.length; i++) {
            out[i] /= (float) sum;
        }
    }

    /** The first largest margin wins, as in XGBoost. */
    private static float argmax(float[] margins) {
        int best = 0;
        for (int i = 1; i < margins.length; i++) {
            if (margins[i] > margins[best]) {
                best = i;
            }
        }
        return best;
    }
}
