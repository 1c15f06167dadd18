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
        // "_h": results keyed by the tuple's md5 (a session of an older build may hold tables keyed by the tuple)
        return "pgml_sidecar_" + function.qualifiedName().replace('.', '_') + "_h";
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
        return functionName() + "(" + key(argumentsSql) + ", " + mode + ")";
    }

    /**
     * The serving pass's replacement where a sub-select may stand for the call: an index lookup
     * PostgreSQL runs as a sub-plan, about twice as fast per row as a plpgsql call; the function
     * (which raises the error) runs only for a tuple without a result. The column alias keeps
     * PostgreSQL's name for the call's column.
     */
    String inlineLookup(List<String> argumentsSql) {
        String key = key(argumentsSql);
        // an alias no statement uses: the arguments refer to the statement's own tables
        return "(SELECT pgml_sidecar_r.v AS " + function.qualifiedName().substring(function.qualifiedName().indexOf('.') + 1) + " FROM "
                + valuesTable() + " pgml_sidecar_r WHERE pgml_sidecar_r.h = md5((" + key + ")::text)::uuid UNION ALL SELECT "
                + functionName() + "(" + key
                + ", " + SERVE + ") LIMIT 1)";
    }

    private static String key(List<String> argumentsSql) {
        StringBuilder sb = new StringBuilder("ARRAY[");
        for (int i = 0; i < argumentsSql.size(); i++) {
            sb.append(i > 0 ? ", " : "").append('(').append(argumentsSql.get(i)).append(")::text");
        }
        return sb.append("]::text[]").toString();
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
        BackendSteps.run(backend, "CREATE TEMP TABLE IF NOT EXISTS " + baseName() + "_values (h uuid PRIMARY KEY, v " + sqlType + ")");
        BackendSteps.run(backend, "CREATE TEMP TABLE IF NOT EXISTS " + baseName() + "_missing (k text[])");
        BackendSteps.run(backend, "TRUNCATE " + valuesTable() + ", " + missingTable());
        // VOLATILE in every mode, so each pass gets the same plan and evaluates the same calls
        BackendSteps.run(backend, "CREATE OR REPLACE FUNCTION " + functionName() + "(k text[], mode integer) RETURNS " + sqlType
                + " LANGUAGE plpgsql VOLATILE AS $pgml$ DECLARE r " + sqlType + "; BEGIN "
                + "IF mode = " + LATER + " THEN RETURN NULL; END IF; "
                + "SELECT t.v INTO r FROM " + valuesTable() + " t WHERE t.h = md5($1::text)::uuid; "
                + "IF FOUND THEN RETURN r; END IF; "
                + "IF mode = " + COLLECT + " THEN INSERT INTO " + missingTable() + " VALUES ($1); RETURN NULL; END IF; "
                + "RAISE EXCEPTION 'pgml-sidecar computed no result of " + function.qualifiedName() + " for arguments %', $1 "
                + "USING ERRCODE = '0A000', HINT = 'The arguments changed between the passes that collect them and the one that "
                + "answers (a volatile function such as random() or now() among them?); compute them in a CTE first.'; "
                + "END $pgml$");
    }

    /** A query of the tuples asked for and not computed yet: their md5 key and their text form of text[]. */
    String missingQuery() {
        return "SELECT md5(d.k::text)::uuid::text, d.k::text FROM (SELECT DISTINCT k FROM " + missingTable() + ") d";
    }

    void clearMissing(BackendClient backend) {
        BackendSteps.run(backend, "TRUNCATE " + missingTable());
    }

    /** Stores computed results (text forms; null = SQL NULL) under their tuples' md5 keys. */
    void store(BackendClient backend, List<String> keys, List<String> values) {
        BackendSteps.query(backend, "INSERT INTO " + valuesTable() + " SELECT u.k::uuid, u.v::" + sqlType
                + " FROM unnest($1::text[], $2::text[]) AS u(k, v) ON CONFLICT DO NOTHING",
                TextArrays.toText(keys), TextArrays.toText(new ArrayList<>(values)));
    }
}
