package io.pgmlsidecar.ml.tune;

/** A {@code training_args} entry has the wrong type or an out-of-range value; {@link #key()} names it. */
public class TrainingArgumentException extends TuneException {
    private final String key;

    public TrainingArgumentException(String key, String problem) {
        super("training_args." + key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
