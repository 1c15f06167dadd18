package io.pgmlsidecar.ml.transformers;

import java.util.List;

/**
 * Receives generated text as it is produced (pgml.transform_stream): one call per step with the new
 * text of each sequence, in order. Generation checks the calling thread's interrupt flag between
 * steps, so interrupting it (a client cancel) stops a long generation.
 */
@FunctionalInterface
public interface TokenSink {
    void accept(List<String> newTextPerSequence);
}
