package io.pgmlsidecar.ml.transformers.generation;

import io.pgmlsidecar.ml.MlException;

/** Generation stopped because the calling thread was interrupted (the client cancelled the statement). */
public final class GenerationCancelledException extends MlException {
    public GenerationCancelledException(int steps) {
        super("generation cancelled after " + steps + " step(s): the calling thread was interrupted (client cancel)");
    }
}
