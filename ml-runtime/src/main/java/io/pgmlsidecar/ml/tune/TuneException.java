package io.pgmlsidecar.ml.tune;

import io.pgmlsidecar.ml.MlException;

/** An error of fine-tuning ({@code pgml.tune}): bad data or arguments. Messages are written for SQL users. */
public class TuneException extends MlException {
    public TuneException(String message) {
        super(message);
    }

    public TuneException(String message, Throwable cause) {
        super(message, cause);
    }
}
