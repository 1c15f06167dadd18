package io.pgmlsidecar.ml.text.chunk;

/** LangChain's {@code keep_separator}: drop the separator, or keep it on the piece that follows / precedes it. */
enum KeepSeparator {
    /** {@code false}: separators are dropped when splitting and re-inserted between merged pieces. */
    NONE,
    /** {@code true} or {@code "start"}: each separator begins the piece after it. */
    START,
    /** {@code "end"}: each separator ends the piece before it. */
    END;

    boolean keeps() {
        return this != NONE;
    }
}
