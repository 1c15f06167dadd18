package io.pgmlsidecar.planner.functions;

import io.pgmlsidecar.planner.scan.CallSite;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.Map;

/**
 * Functions of PostgresML's API the sidecar does not serve yet. A call to one gets a clear 0A000
 * naming what is missing, instead of PostgreSQL's "function does not exist", so ported scripts fail
 * readably; the README's API coverage table lists the same.
 */
public final class NotServedYet {
    private NotServedYet() {}

    private static final Map<String, String> WHY = Map.of();

    /** Throws the 0A000 error when {@code site} calls a function that is planned but not served. */
    public static void refuse(CallSite site) {
        String why = WHY.get(site.qualifiedName());
        if (why != null) {
            throw new PgException(new PgError("ERROR", "0A000", site.qualifiedName() + "() is not served by pgml-sidecar yet",
                    why + ".", "See the API coverage table in pgml-sidecar's README for what is served today.", site.start() + 1));
        }
    }
}
