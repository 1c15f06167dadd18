package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.proxy.intercept.BackendClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The session's temporary objects through which PostgreSQL reads the rows of a set-returning API
 * function the sidecar computed: a table of the argument tuples asked for, a table of result rows,
 * a collecting function (pass 1) and a serving function named after the API function (pass 2),
 * so a select-list column keeps the name PostgreSQL would give it.
 */
public final class SetFunctionTables {

    /** A served set-returning function: its name and result columns (name, SQL type), e.g. chunk(chunk_index bigint, chunk text). */
    public record Shape(String name, List<String> columnNames, List<String> columnTypes) {
        String columnsSql() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < columnNames.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(columnNames.get(i)).append(' ').append(columnTypes.get(i));
            }
            return sb.toString();
        }
    }

    private final Shape shape;

    public SetFunctionTables(Shape shape) {
        this.shape = shape;
    }

    String argsTable() {
        return "pg_temp.pgml_sidecar_" + shape.name() + "_args";
    }

    String rowsTable() {
        return "pg_temp.pgml_sidecar_" + shape.name() + "_rows";
    }

    String collectFunction() {
        return "pg_temp.pgml_sidecar_" + shape.name() + "_collect";
    }

    String serveFunction() {
        return "pg_temp." + shape.name();
    }

    /** Creates what is missing (a client's DISCARD TEMP or rollback may have dropped it) and empties the tables. */
    void prepare(BackendClient backend) {
        boolean exists = "t".equals(BackendSteps.query(backend, "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL",
                argsTable(), rowsTable()).get(0)[0]);
        if (!exists) {
            BackendSteps.run(backend, "CREATE TEMP TABLE IF NOT EXISTS pgml_sidecar_" + shape.name() + "_args (args text[])");
            // result rows carry the md5 of their tuple's text, not the tuple: one tuple may be large
            // (predict_batch over array_agg) and have many rows
            StringBuilder rows = new StringBuilder("CREATE TEMP TABLE IF NOT EXISTS pgml_sidecar_" + shape.name()
                    + "_rows (h text, ord int");
            for (int i = 0; i < shape.columnNames().size(); i++) {
                rows.append(", c").append(i).append(' ').append(shape.columnTypes().get(i));
            }
            BackendSteps.run(backend, rows.append(')').toString());
            BackendSteps.run(backend, "CREATE INDEX ON " + rowsTable() + " (h)");
        }
        List<String> nulls = new ArrayList<>();
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < shape.columnNames().size(); i++) {
            nulls.add("NULL::" + shape.columnTypes().get(i));
            cols.add("r.c" + i);
        }
        // pass 1: record the argument tuple, return no rows
        BackendSteps.run(backend, "CREATE OR REPLACE FUNCTION " + collectFunction() + "(args text[]) RETURNS TABLE(" + shape.columnsSql()
                + ") LANGUAGE sql VOLATILE AS $pgml$ INSERT INTO " + argsTable() + " VALUES (args); SELECT " + String.join(", ", nulls)
                + " WHERE false $pgml$");
        // pass 2: the computed rows; a tuple pass 1 did not see is an error, never a silent empty result
        BackendSteps.run(backend, "CREATE OR REPLACE FUNCTION " + serveFunction() + "(args text[]) RETURNS TABLE(" + shape.columnsSql()
                + ") LANGUAGE plpgsql STABLE AS $pgml$ BEGIN IF NOT EXISTS (SELECT 1 FROM " + argsTable() + " a WHERE a.args = $1) THEN "
                + "RAISE EXCEPTION 'pgml-sidecar computed no rows for these arguments of pgml." + shape.name() + "' USING ERRCODE = '0A000', "
                + "HINT = 'Its arguments depend on another set-returning pgml call; compute that one in a CTE first.'; END IF; "
                + "RETURN QUERY SELECT " + String.join(", ", cols) + " FROM " + rowsTable() + " r WHERE r.h = md5($1::text) ORDER BY r.ord; END $pgml$");
        BackendSteps.run(backend, "TRUNCATE " + argsTable() + ", " + rowsTable());
    }

    /** The distinct argument tuples pass 1 recorded (as text form of text[]). */
    List<String> collectedArguments(BackendClient backend) {
        List<String> out = new ArrayList<>();
        for (String[] r : BackendSteps.query(backend, "SELECT DISTINCT args::text FROM " + argsTable())) {
            out.add(r[0]);
        }
        return out;
    }

    /** The key of a tuple's result rows: md5 of the tuple's text form, as PostgreSQL's md5(text) computes it. */
    static String tupleHash(String tupleText) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                    .digest(tupleText.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores result rows: the {@link #tupleHash} of the argument tuple per row, with the row's values as text. */
    void store(BackendClient backend, List<String> tupleHashes, List<Integer> ordinals, List<String[]> values) {
        StringBuilder sql = new StringBuilder("INSERT INTO " + rowsTable() + " SELECT u.a, u.o");
        StringBuilder unnest = new StringBuilder(" FROM unnest($1::text[], $2::int[]");
        StringBuilder names = new StringBuilder(") AS u(a, o");
        Object[] params = new Object[2 + shape.columnNames().size()];
        params[0] = io.pgmlsidecar.planner.values.TextArrays.toText(tupleHashes);
        params[1] = io.pgmlsidecar.planner.values.TextArrays.toText(ordinals.stream().map(String::valueOf).toList());
        for (int i = 0; i < shape.columnNames().size(); i++) {
            sql.append(", u.c").append(i).append("::").append(shape.columnTypes().get(i));
            unnest.append(", $").append(i + 3).append("::text[]");
            names.append(", c").append(i);
            int column = i;
            params[i + 2] = io.pgmlsidecar.planner.values.TextArrays.toText(values.stream().map(v -> v[column]).toList());
        }
        BackendSteps.query(backend, sql.append(unnest).append(names).append(')').toString(), params);
    }
}
