package io.pgmlsidecar.ml.remote;

import java.util.Objects;

/**
 * The secret that authenticates calls to an endpoint. Its {@link #toString()} never shows it, so a key
 * held in a record or logged by accident stays hidden; only the request builders of this package read it.
 */
public final class ApiKey {
    private static final String MASK = "****";
    private final String value;

    private ApiKey(String value) {
        this.value = value;
    }

    /** A key, or null for a blank value (endpoints such as a local vLLM or Ollama need none). */
    public static ApiKey ofNullable(String value) {
        return value == null || value.isBlank() ? null : new ApiKey(value.strip());
    }

    String reveal() {
        return value;
    }

    /** {@code text} with every occurrence of the key masked (for quoting a server's reply). */
    String redact(String text) {
        return text == null ? null : text.replace(value, MASK);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKey k && k.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value);
    }

    @Override
    public String toString() {
        return MASK;
    }
}
