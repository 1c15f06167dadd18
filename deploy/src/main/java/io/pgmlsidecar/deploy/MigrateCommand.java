package io.pgmlsidecar.deploy;

import io.pgmlsidecar.catalog.CatalogMigrator;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pgml-sidecar migrate --database DB}: installs or upgrades the {@code pgml} schema in other databases of the
 * upstream server, with the operator's upstream credentials — the sidecar's counterpart of PostgresML's
 * {@code CREATE EXTENSION pgml} in each database. Clients never trigger it (decision 36r).
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Installs or upgrades the pgml schema (PostgresML's registry, the vector helpers, the API's functions) "
                + "in the named databases of the upstream PostgreSQL, as the --upstream user, as the sidecar does at start for "
                + "the database of --upstream. Run it once for each other database whose clients call pgml.train, "
                + "pgml.predict, pgml.load_dataset and the like through the sidecar (or list them in --migrate-databases)."})
final class MigrateCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--database", required = true, paramLabel = "DB", split = ",",
            description = "A database to prepare; repeatable or comma-separated.")
    List<String> databases;

    @Option(names = "--upstream", paramLabel = "URL",
            description = "postgresql://USER[:PASS]@HOST:PORT/DB of the server (default: the sidecar's --upstream / "
                    + "PGML_SIDECAR_UPSTREAM); the user needs the rights the migrations need (a superuser, or the database's "
                    + "owner with CREATEROLE for azure_ai_settings_manager).")
    String upstream;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String url = upstream != null && !upstream.isBlank() ? upstream : parent.upstream;
        if (url == null || url.isBlank()) {
            err.println("error: migrate needs --upstream (or PGML_SIDECAR_UPSTREAM): the embedded PostgreSQL has one database");
            err.flush();
            return 2;
        }
        UpstreamUrl server;
        try {
            server = UpstreamUrl.parse(url);
        } catch (RuntimeException e) {
            err.println("error: --upstream: " + e.getMessage());
            err.flush();
            return 2;
        }
        int failed = 0;
        for (String db : databases) {
            UpstreamUrl target = server.inDatabase(db.strip());
            try {
                int applied = CatalogMigrator.migrate(target.jdbcUrl(), target.user(), target.password());
                out.println("pgml schema in " + target.redacted() + " is up to date (" + applied + " migrations applied)");
            } catch (RuntimeException e) {
                failed++;
                err.println("error: could not create or upgrade the pgml schema in " + target.redacted() + ": " + e.getMessage());
            }
            out.flush();
            err.flush();
        }
        return failed == 0 ? 0 : 1;
    }
}
