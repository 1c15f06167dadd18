package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.functions.EmbedCalls;
import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.BackendClient;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.function.Function;

/**
 * S3 for {@code INSERT INTO t [(cols)] SELECT … pgml.embed(…) … [ON CONFLICT …] [RETURNING …]} and
 * {@code CREATE TABLE t AS SELECT … pgml.embed(…) …}: PostgreSQL materialises the SELECT with the
 * calls' argument carriers into a temporary table, the sidecar runs the model over it in chunks
 * into a staging table, and the original statement runs over their join. All in the client's
 * transaction, so an error or a disconnect leaves nothing.
 */
public final class WriteFromSelect implements Strategy {

    private final String sql;
    private final List<ResolvedCall> calls;
    private final String prefix;
    private final String suffix;
    private final SelectListCalls select;
    private final boolean createTable;
    private final EmbedCalls embed;
    private int[] parameterOids;
    private List<Column> selectColumns;

    private WriteFromSelect(String sql, List<ResolvedCall> calls, String prefix, SelectListCalls select, String suffix,
                            boolean createTable, EmbedCalls embed) {
        this.sql = sql;
        this.calls = calls;
        this.prefix = prefix;
        this.select = select;
        this.suffix = suffix;
        this.createTable = createTable;
        this.embed = embed;
    }

    /**
     * Null when the statement is neither INSERT … SELECT nor CREATE TABLE … AS SELECT.
     *
     * @param selectPlanner plans the SELECT part as S2 (refusing what S2 cannot serve)
     */
    public static WriteFromSelect plan(String sql, List<Token> tokens, List<ResolvedCall> calls,
                                       Function<String, SelectListCalls> selectPlanner, EmbedCalls embed) {
        if (tokens.isEmpty()) {
            return null;
        }
        boolean insert = tokens.get(0).isKeyword("insert");
        boolean create = tokens.get(0).isKeyword("create") && isCreateTableAs(tokens);
        if (!insert && !create) {
            return null;
        }
        int depth = 0;
        int selectStart = -1;
        int selectEnd = tokens.size();
        for (int i = 1; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if (t.isPunct(')') || t.isPunct(']')) {
                depth--;
            } else if (depth == 0 && selectStart < 0 && t.isKeyword("select")) {
                selectStart = i;
            } else if (depth == 0 && selectStart >= 0 && (t.isKeyword("returning") || t.isPunct(';')
                    || (t.isKeyword("on") && i + 1 < tokens.size() && tokens.get(i + 1).isKeyword("conflict"))
                    || (create && t.isKeyword("with") && i + 1 < tokens.size()
                        && (tokens.get(i + 1).isKeyword("data") || tokens.get(i + 1).isKeyword("no"))))) {
                selectEnd = i;
                break;
            }
        }
        if (selectStart < 0) {
            return null;
        }
        int from = tokens.get(selectStart).start();
        int to = selectEnd < tokens.size() ? tokens.get(selectEnd).start() : sql.length();
        for (ResolvedCall c : calls) {
            if (c.site().start() < from || c.site().end() > to) {
                return null; // a call outside the SELECT part: not this shape
            }
        }
        String suffix = selectEnd < tokens.size() ? sql.substring(to).replaceFirst(";\\s*$", "") : "";
        SelectListCalls select = selectPlanner.apply(sql.substring(from, to).trim());
        return new WriteFromSelect(sql, calls, sql.substring(0, from), select, suffix, create, embed);
    }

    private static boolean isCreateTableAs(List<Token> tokens) {
        boolean table = false;
        for (Token t : tokens) {
            if (t.isKeyword("table")) {
                table = true;
            } else if (table && t.isKeyword("as")) {
                return true;
            } else if (t.isPunct('(') && !table) {
                return false;
            }
        }
        return false;
    }

    @Override
    public StatementInfo describe(SessionContext session, int[] declared) {
        int[] oids = ParameterTypes.forCalls(declared, calls);
        StatementInfo selectInfo = select.describe(session, oids);
        selectColumns = selectInfo.columns();
        StatementInfo info = session.backend().prepare("", Splice.replaceCalls(sql, calls, c -> "NULL::real[]"), oids);
        parameterOids = ParameterTypes.orText(info.parameterTypeOids());
        return info;
    }

    @Override
    public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        return (s, maxRows) -> run(s, parameters, resultFormats);
    }

    private String run(SessionContext session, BoundParameters parameters, short[] resultFormats) {
        BackendClient backend = session.backend();
        int[] carriers = select.columnIndexes();
        VectorStaging staging = new VectorStaging(carriers.length, embed);
        String source = staging.name() + "_source";
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < selectColumns.size(); i++) {
            names.append(i > 0 ? ", " : "").append('c').append(i);
        }
        BackendSteps.run(backend, "CREATE TEMPORARY TABLE " + source + " ON COMMIT DROP AS SELECT * FROM (" + select.carrierSql()
                + ") AS q(" + names + ")", new BoundParameters(parameterOids, parameters.formats(), parameters.values()));

        staging.create(backend);
        StringBuilder read = new StringBuilder("SELECT ctid::text");
        for (int c : carriers) {
            read.append(", c").append(c);
        }
        staging.fillFrom(session, read.append(" FROM ").append(source).toString(), new int[0], BoundParameters.NONE);

        StringBuilder output = new StringBuilder("SELECT ");
        for (int i = 0; i < selectColumns.size(); i++) {
            int call = indexOf(carriers, i);
            output.append(i > 0 ? ", " : "").append(call >= 0 ? staging.name() + ".v" + call : source + ".c" + i);
            if (createTable) {
                output.append(" AS \"").append(selectColumns.get(i).name().replace("\"", "\"\"")).append('"');
            }
        }
        output.append(" FROM ").append(source).append(" JOIN ").append(staging.name()).append(" ON ").append(source)
                .append(".ctid = ").append(staging.name()).append(".row_ctid ORDER BY ").append(source).append(".ctid");
        backend.prepare("", prefix + output + (suffix.isEmpty() ? "" : " " + suffix), parameterOids);
        backend.bind("", "", parameters.formats(), parameters.values(), resultFormats);
        String tag = backend.execute("", 0, BackendSteps.toClient(session));
        staging.drop(backend);
        BackendSteps.run(backend, "DROP TABLE " + source);
        return tag;
    }

    private static int indexOf(int[] values, int v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
