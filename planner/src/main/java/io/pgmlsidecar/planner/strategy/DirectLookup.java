package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.ApiFunction;
import io.pgmlsidecar.planner.values.TextArrays;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The session's table of one call site's results under the direct collect (decision 24), keyed by
 * two 64-bit hashes of the argument tuple ({@code hash_record_extended} with seeds 0 and 1: as
 * wide as an md5, several times cheaper). The table and its b-tree on the first hash stay small
 * (100,000 results: about 7 MB) so they fit the session's temporary buffers (8 MB by default);
 * past that every probe reads a page back from the file. Numbers and arrays of numbers are hashed as values, without their text
 * forms; every other argument as its text form in the "C" collation, so equal keys mean equal
 * text (a case-insensitive collation, citext or json cannot merge or refuse tuples).
 */
final class DirectLookup {

    /** Types hashed as values: equal values are the same number to a model (1.5 and 1.50, 0 and -0). */
    private static final Set<Integer> HASHED_AS_VALUES = Set.of(16, 20, 21, 23, 700, 701, 1700, // bool int8 int2 int4 float4 float8 numeric
            1000, 1016, 1005, 1007, 1021, 1022, 1231); // and their arrays

    private final ApiFunction function;
    private final String sqlType;
    private final int arity;
    private final int site;
    /** Per argument: hashed as its value (true) or as its text form; known after {@link #type}. */
    private boolean[] asValue;

    /** {@code site}: the call's index in its statement, so two calls of one function keep separate tables. */
    DirectLookup(ApiFunction function, String sqlType, int arity, int site) {
        this.function = function;
        this.sqlType = sqlType;
        this.arity = arity;
        this.site = site;
        this.asValue = new boolean[arity];
    }

    /** Sets how each argument is hashed from the argument types PostgreSQL reports. */
    void type(int[] argumentTypeOids) {
        asValue = new boolean[arity];
        for (int i = 0; i < arity; i++) {
            asValue[i] = HASHED_AS_VALUES.contains(argumentTypeOids[i]);
        }
    }

    private String baseName() {
        return "pgml_sidecar_" + function.qualifiedName().replace('.', '_') + "_d" + site;
    }

    String table() {
        return "pg_temp." + baseName();
    }

    private String index() {
        return baseName() + "_h";
    }

    static String noResultFunction() {
        return "pg_temp.pgml_sidecar_no_result";
    }

    private List<String> fields(List<String> argumentsSql) {
        List<String> out = new ArrayList<>(arity);
        for (int i = 0; i < arity; i++) {
            out.add(asValue[i] ? "(" + argumentsSql.get(i) + ")" : "(" + argumentsSql.get(i) + ")::text COLLATE \"C\"");
        }
        return out;
    }

    private static String hash(List<String> fields, int seed) {
        return "hash_record_extended(ROW(" + String.join(", ", fields) + "), " + seed + ")";
    }

    /**
     * The collecting query over {@code collect}: the distinct tuples with their two hashes, then
     * each argument's text form (what the model reads).
     */
    String collectingSql(DirectCollect collect, List<String> argumentsSql) {
        List<String> inner = fields(argumentsSql);
        List<String> named = new ArrayList<>(arity);
        List<String> columns = new ArrayList<>(arity);
        List<String> texts = new ArrayList<>(arity);
        for (int i = 0; i < arity; i++) {
            named.add(inner.get(i) + " AS c" + i);
            columns.add("d.c" + i);
            texts.add("d.c" + i + "::text");
        }
        return "SELECT " + hash(columns, 0) + ", " + hash(columns, 1) + ", " + String.join(", ", texts) + " FROM ("
                + collect.query(named) + ") d";
    }

    /** The typing query: the arguments as columns over the same table, for their types (never run). */
    static String typingSql(DirectCollect collect, List<String> argumentsSql) {
        List<String> columns = new ArrayList<>();
        for (String a : argumentsSql) {
            columns.add("(" + a + ")");
        }
        return collect.typing(columns);
    }

    /**
     * The call's replacement in the serving statement: a probe of the index, run by PostgreSQL
     * as a sub-plan; a tuple without a result reaches the function that raises 0A000. The alias keeps
     * PostgreSQL's column name for the call.
     */
    String serving(List<String> argumentsSql, boolean absentIsNull) {
        List<String> fields = fields(argumentsSql);
        String name = function.qualifiedName().substring(function.qualifiedName().indexOf('.') + 1);
        String probe = "SELECT pgml_sidecar_r.v AS " + name + " FROM " + table() + " pgml_sidecar_r WHERE pgml_sidecar_r.h = "
                + hash(fields, 0) + " AND pgml_sidecar_r.h2 = " + hash(fields, 1);
        if (absentIsNull) {
            // the table keeps only tuples that pass a pushed conjunct (decision 33): the others answer NULL
            return "(" + probe + " LIMIT 1)";
        }
        return "(" + probe + " UNION ALL SELECT " + noResultFunction() + "(NULL::" + sqlType + ", '" + function.qualifiedName()
                + "') LIMIT 1)";
    }

    /** A condition true for rows whose tuple the table keeps (the top-rows pushdown of decision 33). */
    String kept(List<String> argumentsSql) {
        List<String> fields = fields(argumentsSql);
        return "EXISTS (SELECT FROM " + table() + " pgml_sidecar_k WHERE pgml_sidecar_k.h = " + hash(fields, 0)
                + " AND pgml_sidecar_k.h2 = " + hash(fields, 1) + ")";
    }

    String sqlType() {
        return sqlType;
    }

    /** Creates what is missing (a client's DISCARD TEMP or a rollback may have dropped it); empties the table, drops its index. */
    void prepare(BackendClient backend, boolean empty) {
        String[] state = BackendSteps.query(backend, "SELECT to_regclass($1) IS NOT NULL, to_regprocedure($2) IS NOT NULL",
                table(), noResultFunction() + "(anyelement,text)").get(0);
        if (!"t".equals(state[0])) {
            BackendSteps.run(backend, "CREATE TEMP TABLE IF NOT EXISTS " + baseName() + " (h bigint, h2 bigint, v " + sqlType + ")");
            // between executions the index stays, so a Describe's plan of the serving statement is the real one
            BackendSteps.run(backend, "CREATE INDEX IF NOT EXISTS " + index() + " ON " + table() + " (h)");
        }
        if (!"t".equals(state[1])) {
            BackendSteps.run(backend, "CREATE OR REPLACE FUNCTION " + noResultFunction() + "(r anyelement, fn text) RETURNS anyelement "
                    + "LANGUAGE plpgsql VOLATILE AS $pgml$ BEGIN "
                    + "RAISE EXCEPTION 'pgml-sidecar computed no result of % for a row''s arguments', fn "
                    + "USING ERRCODE = '0A000', HINT = 'The arguments changed between the pass that collects them and the one that "
                    + "answers (a volatile function such as random() or now() among them?); compute them in a CTE first.'; "
                    + "END $pgml$");
        }
        if (empty) {
            // filled without the index, which is built once at the end: cheaper than an insert into it per tuple
            BackendSteps.run(backend, "DROP INDEX IF EXISTS pg_temp." + index());
            BackendSteps.run(backend, "TRUNCATE " + table());
        }
    }

    /** Stores results (text forms; null = SQL NULL) under their tuples' hashes (decimal text). */
    void store(BackendClient backend, List<String> hashes, List<String> hashes2, List<String> values) {
        BackendSteps.query(backend, "INSERT INTO " + table() + " SELECT x.h, x.h2, x.v::" + sqlType
                + " FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS x(h, h2, v)",
                "{" + String.join(",", hashes) + "}", "{" + String.join(",", hashes2) + "}", TextArrays.toText(values));
    }

    /**
     * The positions (0-based) of the results for which {@code condition}, written over {@code u.v},
     * is true: PostgreSQL evaluates it, so types, collations and operators are its own.
     */
    List<Integer> passing(BackendClient backend, List<String> values, String condition) {
        String[] row = BackendSteps.query(backend, "SELECT array_agg(u.o - 1 ORDER BY u.o)::text FROM (SELECT x.v::" + sqlType
                + " AS v, x.o FROM unnest($1::text[]) WITH ORDINALITY AS x(v, o)) u WHERE " + condition, TextArrays.toText(values)).get(0);
        List<Integer> out = new ArrayList<>();
        if (row[0] != null) {
            for (String p : TextArrays.parse(row[0])) {
                out.add(Integer.parseInt(p));
            }
        }
        return out;
    }

    /** After the last chunk: the index the serving statement probes, and statistics so PostgreSQL plans the probe. */
    void index(BackendClient backend) {
        BackendSteps.run(backend, "CREATE INDEX IF NOT EXISTS " + index() + " ON " + table() + " (h)");
        BackendSteps.run(backend, "ANALYZE " + table());
    }
}
