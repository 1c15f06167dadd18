package io.pgmlsidecar.ml.transformers.generation;

import java.util.List;

/** A generative model run one token at a time with its key/value cache. */
interface StepModel extends AutoCloseable {

    /**
     * Starts decoding, one row per prompt (callers repeat a prompt for beams or several samples) and
     * runs the first step: the whole prompt for decoder-only models, the encoder and the start token for
     * encoder-decoders.
     */
    DecodingState start(List<long[]> rowPrompts);

    /** The longest sequence the model's positions allow (prompt and new tokens of a decoder-only model). */
    default int maxPositions() {
        return Integer.MAX_VALUE;
    }

    /** The token sequence that generation continues: the prompt, or the decoder start token. */
    long[] initialSequence(long[] prompt);

    @Override
    void close();

    /** The cache and inputs of rows being decoded. Not thread-safe: one generation owns it. */
    interface DecodingState extends AutoCloseable {
        /** Next-token logits of each row, from the last step. */
        float[][] logits();

        /** Feeds one token per row (the prefix is not recomputed: its keys and values come from the cache). */
        void advance(long[] nextTokens);

        /** Keeps rows {@code sources[i]} as the new row i (beam search reorders and duplicates beams). */
        void select(int[] sources);

        /** Tokens fed through the decoder so far, all rows and steps together (how much was computed). */
        long tokensFed();

        @Override
        void close();
    }
}
