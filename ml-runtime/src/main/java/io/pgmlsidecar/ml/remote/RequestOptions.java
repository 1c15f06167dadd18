package io.pgmlsidecar.ml.remote;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A caller's extra request fields (from SQL kwargs): copied once, since they also key request merging. */
final class RequestOptions {
    private RequestOptions() {}

    /** An unmodifiable copy, JSON nulls kept. */
    static Map<String, ?> copy(Map<String, ?> options) {
        return options == null || options.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** Refuses a key the call sets itself. */
    static void refuse(Map<String, ?> options, String key, String why) {
        if (options.containsKey(key)) {
            throw RemoteCallException.configuration("option '" + key + "' cannot be set here", why);
        }
    }
}
