package io.pgmlsidecar.ml.tokenize;

/**
 * One tokenized input, unpadded, special tokens included.
 *
 * @param ids       token ids
 * @param typeIds   token type ids (segment ids)
 * @param truncated whether the input was cut at the max length
 */
public record TokenizedText(long[] ids, long[] typeIds, boolean truncated) {
    public int length() {
        return ids.length;
    }
}
