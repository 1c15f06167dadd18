package io.pgmlsidecar.ml.transformers.generation;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * transformers' logits processors and warpers, applied in its order: repetition penalty, minimum
 * length, then (sampling only) temperature, top-k and top-p. Works in place on one row's scores.
 */
final class LogitsProcessing {
    private LogitsProcessing() {}

    /** Scores of tokens already in {@code sequence}: divided by the penalty when positive, multiplied when negative. */
    static void repetitionPenalty(float[] scores, long[] sequence, int length, double penalty) {
        if (penalty == 1.0) return;
        boolean[] seen = new boolean[scores.length];
        for (int i = 0; i < length; i++) {
            long t = sequence[i];
            if (t < 0 || t >= scores.length || seen[(int) t]) continue;
            seen[(int) t] = true;
            float s = scores[(int) t];
            scores[(int) t] = (float) (s < 0 ? s * penalty : s / penalty);
        }
    }

    /** Bans the end tokens while the sequence is shorter than min_length or has fewer new tokens than min_new_tokens. */
    static void minLength(float[] scores, GenerationConfig cfg, int totalLength, int newTokens) {
        if (totalLength < cfg.minLength() || newTokens < cfg.minNewTokens()) {
            for (long e : cfg.eosTokenIds()) {
                if (e >= 0 && e < scores.length) scores[(int) e] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    static void temperature(float[] scores, double temperature) {
        if (temperature == 1.0) return;
        for (int i = 0; i < scores.length; i++) scores[i] = (float) (scores[i] / temperature);
    }

    /** Keeps the k best scores (and ties with the k-th). */
    static void topK(float[] scores, int k) {
        if (k <= 0 || k >= scores.length) return;
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        float kth = sorted[sorted.length - k];
        for (int i = 0; i < scores.length; i++) if (scores[i] < kth) scores[i] = Float.NEGATIVE_INFINITY;
    }

    /**
     * Nucleus filtering as transformers does it: in ascending order of probability, tokens whose cumulative
     * probability is at most 1 - top_p are removed; the most likely token always stays.
     */
    static void topP(float[] scores, double topP) {
        if (topP >= 1.0) return;
        double[] probs = softmax(scores);
        // only tokens still possible take part (after top-k that is a handful, not the vocabulary)
        Integer[] order = IntStream.range(0, scores.length).filter(i -> probs[i] > 0).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> probs[i]));
        double cumulative = 0;
        for (int j = 0; j < order.length - 1; j++) {
            cumulative += probs[order[j]];
            if (cumulative <= 1 - topP) scores[order[j]] = Float.NEGATIVE_INFINITY;
        }
    }

    static double[] softmax(float[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) max = Math.max(max, s);
        double[] p = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            p[i] = scores[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(scores[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    static double[] logSoftmax(float[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) max = Math.max(max, s);
        double sum = 0;
        for (float s : scores) if (s != Float.NEGATIVE_INFINITY) sum += Math.exp(s - max);
        double log = max + Math.log(sum);
        double[] out = new double[scores.length];
        for (int i = 0; i < scores.length; i++) out[i] = scores[i] == Float.NEGATIVE_INFINITY ? Double.NEGATIVE_INFINITY : scores[i] - log;
        return out;
    }

    static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }

    static int sample(float[] scores, Random random) {
        double[] p = softmax(scores);
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == 0) continue;
            cumulative += p[i];
            last = i;
            if (u < cumulative) return i;
        }
        return last;
    }
}
