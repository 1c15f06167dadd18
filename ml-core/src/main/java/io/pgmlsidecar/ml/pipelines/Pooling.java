package io.pgmlsidecar.ml.pipelines;

import io.pgmlsidecar.ml.ModelFormatException;
import java.util.Locale;

/**
 * How token vectors {@code [seq, hidden]} become one sentence vector; the modes of
 * sentence-transformers' {@code Pooling} module. Padding positions (attention mask 0) never count.
 */
public enum Pooling {
    /** The first token ({@code [CLS]}), e.g. BGE models. */
    CLS,
    /** Average of the token vectors, e.g. all-MiniLM-L6-v2, e5. */
    MEAN,
    /** Element-wise maximum of the token vectors. */
    MAX,
    /** Sum of the token vectors divided by the square root of their count. */
    MEAN_SQRT_LEN,
    /** The last (non-padding) token, e.g. decoder-based embedders. */
    LAST_TOKEN;

    /** Parses {@code cls, mean, max, mean_sqrt_len, lasttoken} (also the sentence-transformers config key forms). */
    public static Pooling parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (k) {
            case "cls", "cls_token", "pooling_mode_cls_token" -> CLS;
            case "mean", "mean_tokens", "pooling_mode_mean_tokens" -> MEAN;
            case "max", "max_tokens", "pooling_mode_max_tokens" -> MAX;
            case "mean_sqrt_len", "mean_sqrt_len_tokens", "pooling_mode_mean_sqrt_len_tokens" -> MEAN_SQRT_LEN;
            case "lasttoken", "last_token", "last", "pooling_mode_lasttoken" -> LAST_TOKEN;
            default -> throw new ModelFormatException("unsupported pooling mode '" + s
                    + "' (supported: cls, mean, max, mean_sqrt_len, lasttoken)");
        };
    }

    /**
     * Pools one sequence of a batch output.
     *
     * @param hidden  flat {@code [batch, seq, dim]} output
     * @param row     batch row
     * @param seq     padded sequence length of the batch
     * @param dim     hidden size
     * @param length  number of real tokens of this row (they come first: padding is on the right)
     * @param out     destination
     * @param offset  where to write {@code dim} values in {@code out}
     */
    public void pool(float[] hidden, int row, int seq, int dim, int length, float[] out, int offset) {
        int base = row * seq * dim;
        switch (this) {
            case CLS -> System.arraycopy(hidden, base, out, offset, dim);
            case LAST_TOKEN -> System.arraycopy(hidden, base + Math.max(length - 1, 0) * dim, out, offset, dim);
            case MEAN, MEAN_SQRT_LEN -> {
                for (int t = 0; t < length; t++) {
                    int p = base + t * dim;
                    for (int j = 0; j < dim; j++) out[offset + j] += hidden[p + j];
                }
                // sentence-transformers divides by clamp(count, min=1e-9): an empty sequence stays zero
                double div = this == MEAN ? Math.max(length, 1e-9) : Math.sqrt(Math.max(length, 1e-9));
                for (int j = 0; j < dim; j++) out[offset + j] = (float) (out[offset + j] / div);
            }
            case MAX -> {
                for (int j = 0; j < dim; j++) {
                    float m = length > 0 ? Float.NEGATIVE_INFINITY : 0f;
                    for (int t = 0; t < length; t++) m = Math.max(m, hidden[base + t * dim + j]);
                    out[offset + j] = m;
                }
            }
        }
    }
}
