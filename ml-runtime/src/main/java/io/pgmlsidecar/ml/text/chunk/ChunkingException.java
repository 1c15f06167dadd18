package io.pgmlsidecar.ml.text.chunk;

/**
 * Bad input to {@link TextChunker}: an unknown splitter, a bad kwarg, an invalid separator regex. The message
 * is written for the end user (it becomes the SQL error message); {@link #hint()} suggests a fix.
 */
public final class ChunkingException extends IllegalArgumentException {
    private final String hint;

    ChunkingException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    /** A suggestion for the user, or null. */
    public String hint() {
        return hint;
    }
}
