package io.pgmlsidecar.planner.tune;

import io.pgmlsidecar.ml.MlException;
import io.pgmlsidecar.ml.ModelFormatException;
import io.pgmlsidecar.ml.ModelNotFoundException;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;

/** Runtime failures of pgml.tune as PostgreSQL errors. */
final class TuneErrors {
    private TuneErrors() {}

    static PgException of(MlException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof ModelNotFoundException) {
            return new PgException(PgError.error("42704", m.lines().findFirst().orElse(m),
                    "Name an encoder that is in the models directory or bundled, e.g. sentence-transformers/all-MiniLM-L6-v2."), e);
        }
        if (e instanceof ModelFormatException) {
            return new PgException(PgError.error("22023", m, "pgml.tune starts from an ONNX encoder in Hugging Face layout."), e);
        }
        return new PgException(PgError.error("22023", m, "Check the training_args and the relation's rows."), e);
    }
}
