package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ApiFunction;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The session's temporary objects through which PostgreSQL evaluates a row-wise API function
 * anywhere in a statement (decision 17): a table of results by argument tuple, a table of the
 * tuples asked for but not computed yet, and a function named after the API function, so a
 * column keeps the name PostgreSQL would give it.
 *
 * <p>The function's second argument says what it does for a tuple without a result:
 * {@link #COLLECT} records it and yields NULL, {@link #LATER} yields NULL without recording (an
 * outer call whose inner calls are not computed yet), {@link #SERVE} raises an error — the last,
 * real pass never answers a call it has no result for.
 */
final class LookupTables {

    static final int SERVE = 0;
    static final int COLLECT = 1;
    static final int LATER = 2;

    private final ApiFunction function;
    private final String sqlType;

    LookupTables(ApiFunction function, String sqlType) {
        this.function = function;
        this.sqlType = sqlType;
    }

    private String baseName() {
        return "pgml_sidecar_" + function.qualifiedName().replace('.', '_');
    }

    String valuesTable() {
        return "pg_temp." + baseName() + "_values";
    }

    String missingTable() {
        return "pg_temp." + baseName() + "_missing";
    }

    /** The function's name, as PostgreSQL shows it in column names: the API function's own. */
    String functionName() {
        return "pg_temp." + function.qualifiedName().substring(function.qualifiedName().indexOf('.') + 1);
    }

    /** The call's replacement: the lookup function over the argument values as text. */
    String lookup(List<String> argumentsSql, int mode) {
        StringBuilder sb = new StringBuilder(functionName()).append("(ARRAY[");
        for (int i = 0; i < argumentsSql.size(); i++) {
            sb.append(i > 0 ? ", " : "").append('(').append(argumentsSql.get(i)).append(")::text");
        }
        return sb.append("]::text[], ").append(mode).append(')').toString();
    }

    /** Creates what is missing (DISCARD TEMP or a rollback may have dropped it) and empties the tables. */
    void prepare(BackendClient backend, boolean empty) {
        // an open cursor (DECLARE … CURSOR FOR a statement with calls) still reads the results: keep them
        String[] state = BackendSteps.query(backend, "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL "
                + "AND to_regprocedure($3) IS NOT NULL, EXISTS (SELECT 1 FROM pg_cursors WHERE strpos(statement, $4) > 0)",
                valuesTable(), missingTable(), functionName() + "(text[],integer)", functionName() + "(").get(0);
        if (!"t".equals(state[0])) {
            create(backend);
        } else if (empty && !"t".equals(state[1])) {
            BackendSteps.run(backend, "TRUNCATE " + valuesTable() + ", " + missingTable());
        }
    }

    private void create(BackendClient backend) {
        BackendSteps.run(backend, "CREATE TEMP TABLE IF NOT EXISTS " + baseName() + "_values (k text[] PRIMARY KEY, v " + sqlType + ")");
        BackendSteps.run(backend, "CREATE TEMP TABLE IF NOT EXISTS " + baseName() + "_missing (k text[])");
        BackendSteps.run(backend, "TRUNCATE " + valuesTable() + ", " + missingTable());
        // VOLATILE in every mode, so each pass gets the same plan and evaluates the same calls
        BackendSteps.run(backend, "CREATE OR REPLACE FUNCTION " + functionName() + "(k text[], mode integer) RETURNS " + sqlType
                + " LANGUAGE plpgsql VOLATILE AS $pgml$ DECLARE r " + sqlType + "; BEGIN "
                + "IF mode = " + LATER + " THEN RETURN NULL; END IF; "
                + "SELECT t.v INTO r FROM " + valuesTable() + " t WHERE t.k = $1; "
                + "IF FOUND THEN RETURN r; END IF; "
                + "IF mode = " + COLLECT + " THEN INSERT INTO " + missingTable() + " VALUES ($1); RETURN NULL; END IF; "
                + "RAISE EXCEPTION 'pgml-sidecar computed no result of " + function.qualifiedName() + " for arguments %', $1 "
                + "USING ERRCODE = '0A000', HINT = 'The arguments changed between the passes that collect them and the one that "
                + "answers (a volatile function such as random() or now() among them?); compute them in a CTE first.'; "
                + "END $pgml$");
    }

    /** Name of a statement that lists the tuples asked for and not computed yet (text form of text[]). */
    String missingQuery() {
        return "SELECT DISTINCT k::text FROM " + missingTable();
    }

    void clearMissing(BackendClient backend) {
        BackendSteps.run(backend, "TRUNCATE " + missingTable());
    }

    /** Stores computed results (text forms; null = SQL NULL) for argument tuples (text forms of text[]). */
    void store(BackendClient backend, List<String> keys, List<String> values) {
        BackendSteps.query(backend, "INSERT INTO " + valuesTable() + " SELECT u.k::text[], u.v::" + sqlType
                + " FROM unnest($1::text[], $2::text[]) AS u(k, v) ON CONFLICT DO NOTHING",
                TextArrays.toText(keys), TextArrays.toText(new ArrayList<>(values)));
    }
}
