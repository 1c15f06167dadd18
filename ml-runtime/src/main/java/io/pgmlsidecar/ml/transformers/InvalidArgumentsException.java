package io.pgmlsidecar.ml.transformers;

import io.pgmlsidecar.ml.MlException;

/** Bad pipeline arguments or inputs: an unknown key, a value of the wrong type or range, a malformed input. */
public class InvalidArgumentsException extends MlException {
    public InvalidArgumentsException(String message) {
        super(message);
    }
}
