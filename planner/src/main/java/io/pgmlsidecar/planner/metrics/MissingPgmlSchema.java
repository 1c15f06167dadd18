package io.pgmlsidecar.planner.metrics;

import io.pgmlsidecar.proxy.intercept.PgException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A call in a database where the {@code pgml} schema was never installed: the sidecar installs it (Flyway) in the
 * databases the operator names — that of {@code --upstream} and those of {@code --migrate-databases}, or with
 * {@code pgml-sidecar migrate --database} — never on a client's behalf (decision 36r). Without it the sidecar's own
 * registry statements fail with PostgreSQL's 42P01 ({@code relation "pgml.projects" does not exist}, with a position
 * in a statement the client never wrote) or 3F000; this says what is missing and how the operator prepares it.
 */
final class MissingPgmlSchema {
    private MissingPgmlSchema() {}

    /** The registry's tables: a missing one means the schema is missing, not a name the caller mistyped. */
    private static final Set<String> REGISTRY = Set.of("projects", "models", "snapshots", "deployments", "files", "logs",
            "deployed_models", "trained_models", "overview");
    private static final Pattern MISSING_RELATION = Pattern.compile("relation \"pgml\\.([a-z_]+)\" does not exist");

    /** The clearer error for {@code e}, or null when {@code e} is not about a missing pgml schema. */
    static PgException explain(PgException e, String database) {
        String state = e.error().sqlState();
        String message = e.error().message() == null ? "" : e.error().message();
        boolean missing = "3F000".equals(state) && message.contains("schema \"pgml\" does not exist");
        if (!missing && "42P01".equals(state)) {
            Matcher m = MISSING_RELATION.matcher(message);
            missing = m.find() && REGISTRY.contains(m.group(1));
        }
        if (!missing) return null;
        String db = database == null || database.isBlank() ? "this database" : "database \"" + database + "\"";
        String name = database == null || database.isBlank() ? "<database>" : database;
        return new PgException("3F000", "the pgml schema is not installed in " + db + " (" + message + ")",
                "As PostgresML needs CREATE EXTENSION pgml in each database, the sidecar's operator prepares each one: "
                        + "pgml-sidecar migrate --database " + name + ", or list it in --migrate-databases "
                        + "(PGML_SIDECAR_MIGRATE_DATABASES) and restart the sidecar.");
    }
}
