package io.pgmlsidecar.ml.text.chunk;

import java.util.Set;

/**
 * The arguments of LangChain's {@code TextSplitter.__init__} shared by every splitter, validated as it does.
 * Lengths are Python {@code len} (code points); {@code length_function} accepts only that.
 */
record ChunkSettings(long chunkSize, long chunkOverlap, KeepSeparator keepSeparator, boolean stripWhitespace) {
    /** TextSplitter.__init__'s arguments, accepted by every splitter. */
    static final Set<String> KWARGS = Set.of(
            "chunk_size", "chunk_overlap", "length_function", "keep_separator", "add_start_index", "strip_whitespace");
    static final long DEFAULT_CHUNK_SIZE = 4000;
    static final long DEFAULT_CHUNK_OVERLAP = 200;

    ChunkSettings {
        if (chunkSize <= 0) {
            throw new ChunkingException("chunk_size must be > 0, got " + chunkSize, "pass a positive chunk_size, e.g. {\"chunk_size\": 1000}");
        }
        if (chunkOverlap < 0) {
            throw new ChunkingException("chunk_overlap must be >= 0, got " + chunkOverlap, "pass chunk_overlap 0 for no overlap");
        }
        if (chunkOverlap > chunkSize) {
            throw new ChunkingException("Got a larger chunk overlap (" + chunkOverlap + ") than chunk size (" + chunkSize
                    + "), should be smaller.", "the default chunk_overlap is 200; pass a smaller one with a small chunk_size");
        }
    }

    static ChunkSettings read(KwargsReader kwargs, KeepSeparator defaultKeep) {
        kwargs.requireLengthFunctionLen();
        kwargs.bool("add_start_index", false); // type-checked, then ignored: a chunk's start is not part of pgml.chunk's rows
        return new ChunkSettings(
                kwargs.integer("chunk_size", DEFAULT_CHUNK_SIZE),
                kwargs.integer("chunk_overlap", DEFAULT_CHUNK_OVERLAP),
                kwargs.keepSeparator(defaultKeep),
                kwargs.bool("strip_whitespace", true));
    }
}
