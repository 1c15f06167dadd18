package io.pgmlsidecar.ml.transformers;

import io.pgmlsidecar.ml.MlException;

/** A task (or a task option) this runtime does not serve. */
public class UnsupportedTaskException extends MlException {
    public UnsupportedTaskException(String message) {
        super(message);
    }
}
