package io.pgmlsidecar.catalog;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates or upgrades the sidecar's part of the {@code pgml} schema in a database with Flyway's
 * versioned migrations ({@code db/pgml/V*.sql}). Flyway takes a PostgreSQL advisory lock, so
 * sidecars starting together migrate once. The history lives in
 * {@code pgml.sidecar_schema_history}, apart from anything PostgresML itself created, and an
 * existing {@code pgml} schema is kept (baseline at version 0).
 */
public final class CatalogMigrator {
    private CatalogMigrator() {}

    public static final String HISTORY_TABLE = "sidecar_schema_history";

    /** Migrates the database at {@code jdbcUrl}; returns the number of migrations applied. */
    public static int migrate(String jdbcUrl, String user, String password) {
        MigrateResult result = Flyway.configure(CatalogMigrator.class.getClassLoader())
                .dataSource(jdbcUrl, user, password)
                .schemas("pgml")
                .table(HISTORY_TABLE)
                .locations("classpath:db/pgml")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .loggers("slf4j")
                .load()
                .migrate();
        return result.migrationsExecuted;
    }
}
