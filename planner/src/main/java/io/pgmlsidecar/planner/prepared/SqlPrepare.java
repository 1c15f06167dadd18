package io.pgmlsidecar.planner.prepared;

import io.pgmlsidecar.proxy.codec.TransactionStatus;
import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.planner.scan.CallFinder;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.strategy.BackendSteps;
import io.pgmlsidecar.planner.strategy.Strategy;
import io.pgmlsidecar.planner.strategy.StrategyStatement;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * SQL-level PREPARE / EXECUTE / DEALLOCATE (and DISCARD ALL) for statements that call the API
 * (decision 19). PREPARE of such a statement is kept by the sidecar ({@link SqlPreparedStatements})
 * after PostgreSQL has checked it (the body is described on the session, so a missing column or a
 * wrong type fails at PREPARE as it would in PostgreSQL); EXECUTE evaluates its arguments on the
 * session, cast to the parameter types, and runs the body with the body's own strategy, batched.
 * Every other prepared name stays PostgreSQL's and is relayed.
 */
public final class SqlPrepare {
    private SqlPrepare() {}

    /** Words whose statements this session must see once it holds a prepared statement of its own. */
    private static final List<String> FOLLOW_UP_WORDS = List.of("execute", "deallocate", "prepare", "discard");

    /** Plans a statement with calls whose text is a PREPARE; null when it is not one (PREPARE TRANSACTION). */
    public static InterceptedStatement planPrepare(String sql, List<Token> tokens, Function<String, InterceptedStatement> bodyPlanner,
            Set<String> preparedInThisString) {
        Prepare p = Prepare.parse(sql, tokens);
        if (p == null) {
            return null;
        }
        InterceptedStatement body = bodyPlanner.apply(p.body());
        if (!(body instanceof StrategyStatement)) {
            throw new PgException(PgError.error("0A000", "pgml-sidecar does not serve SQL-level PREPARE of this statement yet",
                    "Use your driver's prepared statements (protocol level) for it, or run it directly."));
        }
        preparedInThisString.add(p.name());
        return new StrategyStatement(new PrepareStrategy(p, bodyPlanner));
    }

    /**
     * Plans EXECUTE / DEALLOCATE / DISCARD ALL / a PREPARE without calls, for a session that
     * holds prepared statements of the sidecar's (or a string that prepares one first); null when
     * PostgreSQL answers the statement as written.
     */
    public static InterceptedStatement planFollowUp(String sql, List<Token> tokens, SessionContext session,
            Function<String, InterceptedStatement> bodyPlanner, Set<String> preparedInThisString) {
        if (tokens.isEmpty()) {
            return null;
        }
        SqlPreparedStatements held = session.state(SqlPreparedStatements.class, SqlPreparedStatements::new);
        if (held.isEmpty() && preparedInThisString.isEmpty()) {
            return null;
        }
        Token first = tokens.get(0);
        if (first.isKeyword("execute")) {
            Execute e = Execute.parse(sql, tokens);
            if (e == null || (held.find(e.name()) == null && !preparedInThisString.contains(e.name()))) {
                return null;
            }
            return new StrategyStatement(new ExecuteStrategy(e, bodyPlanner));
        }
        if (first.isKeyword("deallocate")) {
            int i = tokens.size() > 1 && tokens.get(1).isKeyword("prepare") ? 2 : 1;
            if (i >= tokens.size()) {
                return null;
            }
            if (tokens.get(i).isKeyword("all")) {
                held.clear();
                return null; // PostgreSQL deallocates its own
            }
            String name = identifier(tokens.get(i));
            if (held.find(name) == null) {
                return null;
            }
            return new StrategyStatement(new CommandStrategy("DEALLOCATE", s -> held.remove(name)));
        }
        if (first.isKeyword("discard") && tokens.size() > 1 && tokens.get(1).isKeyword("all") && session.transactionStatus() == TransactionStatus.IDLE) {
            held.clear(); // PostgreSQL refuses DISCARD ALL inside a transaction block: then nothing is discarded
            return null;
        }
        if (first.isKeyword("prepare")) {
            Prepare p = Prepare.parse(sql, tokens);
            if (p != null && held.find(p.name()) != null) {
                throw alreadyExists(p.name());
            }
        }
        return null;
    }

    static PgException alreadyExists(String name) {
        return new PgException(PgError.error("42P05", "prepared statement \"" + name + "\" already exists", null));
    }

    static String identifier(Token t) {
        return t.kind() == Token.Kind.QUOTED_IDENTIFIER ? t.identifierValue() : t.text().toLowerCase(java.util.Locale.ROOT);
    }

    /** The body planned as a strategy; the body was a StrategyStatement at PREPARE. */
    static Strategy bodyStrategy(Function<String, InterceptedStatement> bodyPlanner, String body) {
        if (bodyPlanner.apply(body) instanceof StrategyStatement s) {
            return s.strategy();
        }
        throw new PgException(PgError.error("0A000", "pgml-sidecar does not serve SQL-level PREPARE of this statement yet", null));
    }

    /** The comma-separated items between the parentheses at {@code open} and {@code close}, as written. */
    private static List<String> items(String sql, List<Token> tokens, int open, int close) {
        List<String> out = new ArrayList<>();
        int from = open + 1;
        int depth = 0;
        for (int j = open + 1; j <= close; j++) {
            Token t = tokens.get(j);
            if (t.isPunct('(') || t.isPunct('[')) {
                depth++;
            } else if ((t.isPunct(')') || t.isPunct(']')) && depth > 0 && j < close) {
                depth--;
            } else if (depth == 0 && (t.isPunct(',') || j == close)) {
                if (j > from) {
                    out.add(sql.substring(tokens.get(from).start(), tokens.get(j - 1).end()));
                }
                from = j + 1;
            }
        }
        return out;
    }

    /** {@code PREPARE name [(type, …)] AS statement}. */
    record Prepare(String name, List<String> declaredTypes, String body) {
        static Prepare parse(String sql, List<Token> tokens) {
            if (tokens.size() < 4 || !tokens.get(0).isKeyword("prepare")) {
                return null;
            }
            Token nameToken = tokens.get(1);
            if (nameToken.isKeyword("transaction") && tokens.get(2).kind() == Token.Kind.STRING) {
                return null;
            }
            int i = 2;
            List<String> types = List.of();
            if (tokens.get(i).isPunct('(')) {
                int close = CallFinder.matchingParen(tokens, i);
                if (close < 0) {
                    return null;
                }
                types = items(sql, tokens, i, close);
                i = close + 1;
            }
            if (i + 1 >= tokens.size() || !tokens.get(i).isKeyword("as")) {
                return null;
            }
            return new Prepare(identifier(nameToken), types, sql.substring(tokens.get(i + 1).start()));
        }
    }

    /** {@code EXECUTE name [(argument, …)]}, each argument an expression. */
    record Execute(String name, List<String> arguments, boolean hasParameters) {
        static Execute parse(String sql, List<Token> tokens) {
            if (tokens.size() < 2 || !tokens.get(0).isKeyword("execute")) {
                return null;
            }
            List<String> args = List.of();
            boolean parameters = false;
            int i = 2;
            if (i < tokens.size() && tokens.get(i).isPunct('(')) {
                int close = CallFinder.matchingParen(tokens, i);
                if (close < 0) {
                    return null;
                }
                for (int j = i + 1; j < close; j++) {
                    parameters |= tokens.get(j).kind() == Token.Kind.PARAMETER;
                }
                args = items(sql, tokens, i, close);
                i = close + 1;
            }
            while (i < tokens.size() && tokens.get(i).isPunct(';')) {
                i++;
            }
            return i == tokens.size() ? new Execute(identifier(tokens.get(1)), args, parameters) : null;
        }
    }

    /** PREPARE: checks the body on the session, then keeps it. */
    private static final class PrepareStrategy implements Strategy {
        private final Prepare prepare;
        private final Function<String, InterceptedStatement> bodyPlanner;

        PrepareStrategy(Prepare prepare, Function<String, InterceptedStatement> bodyPlanner) {
            this.prepare = prepare;
            this.bodyPlanner = bodyPlanner;
        }

        @Override
        public StatementInfo describe(SessionContext session, int[] declared) {
            return new StatementInfo(new int[0], null);
        }

        @Override
        public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
            SqlPreparedStatements held = session.state(SqlPreparedStatements.class, SqlPreparedStatements::new);
            var backend = session.backend();
            if (held.find(prepare.name()) != null || !BackendSteps.query(backend,
                    "SELECT 1 FROM pg_prepared_statements WHERE name = $1", prepare.name()).isEmpty()) {
                throw alreadyExists(prepare.name());
            }
            int[] declared = new int[prepare.declaredTypes().size()];
            if (declared.length > 0) {
                StringBuilder sql = new StringBuilder("SELECT ");
                for (int i = 0; i < declared.length; i++) {
                    sql.append(i > 0 ? ", " : "").append("'").append(prepare.declaredTypes().get(i).replace("'", "''"))
                            .append("'::regtype::oid");
                }
                String[] oids = BackendSteps.query(backend, sql.toString()).get(0);
                for (int i = 0; i < declared.length; i++) {
                    declared[i] = Integer.parseInt(oids[i]);
                }
            }
            StatementInfo info = bodyStrategy(bodyPlanner, prepare.body()).describe(session, declared);
            int[] oids = info.parameterTypeOids();
            List<String> names = new ArrayList<>();
            for (String[] row : BackendSteps.query(backend, "SELECT format_type(o, NULL) FROM unnest($1::oid[]) WITH ORDINALITY AS u(o, n) ORDER BY n",
                    oidArray(oids))) {
                names.add(row[0]);
            }
            held.add(new SqlPreparedStatements.Entry(prepare.name(), prepare.body(), oids, names));
            for (String word : FOLLOW_UP_WORDS) {
                session.interceptAlso(word);
            }
            return (s, maxRows) -> "PREPARE";
        }
    }

    private static String oidArray(int[] oids) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < oids.length; i++) {
            sb.append(i > 0 ? "," : "").append(oids[i]);
        }
        return sb.append('}').toString();
    }

    /** EXECUTE: the arguments cast on the session, then the body's own strategy with them bound. */
    private static final class ExecuteStrategy implements Strategy {
        private final Execute execute;
        private final Function<String, InterceptedStatement> bodyPlanner;
        private SqlPreparedStatements.Entry entry;
        private Strategy body;
        private int[] argumentTypes = new int[0];

        ExecuteStrategy(Execute execute, Function<String, InterceptedStatement> bodyPlanner) {
            this.execute = execute;
            this.bodyPlanner = bodyPlanner;
        }

        @Override
        public StatementInfo describe(SessionContext session, int[] declared) {
            entry = session.state(SqlPreparedStatements.class, SqlPreparedStatements::new).find(execute.name());
            if (entry == null) {
                throw new PgException(PgError.error("26000", "prepared statement \"" + execute.name() + "\" does not exist", null));
            }
            if (execute.arguments().size() != entry.parameterOids().length) {
                throw new PgException(new PgError("ERROR", "42601", "wrong number of parameters for prepared statement \""
                        + execute.name() + "\"", "Expected " + entry.parameterOids().length + " parameters but got "
                        + execute.arguments().size() + ".", null, 0));
            }
            body = bodyStrategy(bodyPlanner, entry.body());
            StatementInfo info = body.describe(session, entry.parameterOids());
            if (execute.hasParameters()) {
                // EXECUTE e($1, …) sent with Bind: PostgreSQL infers the types of $n from the casts to the declared types
                argumentTypes = session.backend().prepare("", argumentsQuery(), declared).parameterTypeOids();
            }
            return new StatementInfo(argumentTypes, info.columns());
        }

        /** {@code SELECT (arg1)::type1, …}: evaluates the arguments on the session, with PostgreSQL's casts and errors. */
        private String argumentsQuery() {
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < entry.parameterOids().length; i++) {
                sql.append(i > 0 ? ", " : "").append("(").append(execute.arguments().get(i)).append(")::")
                        .append(entry.parameterTypes().get(i));
            }
            return sql.toString();
        }

        @Override
        public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
            int n = entry.parameterOids().length;
            byte[][] values = new byte[n][];
            if (n > 0) {
                java.util.List<byte[][]> rows = new java.util.ArrayList<>();
                BackendSteps.run(session.backend(), argumentsQuery(), execute.hasParameters()
                        ? new BoundParameters(argumentTypes, parameters.formats(), parameters.values()) : BoundParameters.NONE, rows);
                values = rows.get(0);
            }
            return body.start(session, new BoundParameters(entry.parameterOids(), new short[n], values), resultFormats);
        }
    }

    /** A command the sidecar answers itself with a tag. */
    private record CommandStrategy(String tag, java.util.function.Consumer<SessionContext> action) implements Strategy {
        @Override
        public StatementInfo describe(SessionContext session, int[] declared) {
            return new StatementInfo(new int[0], null);
        }

        @Override
        public Execution start(SessionContext session, BoundParameters parameters, short[] resultFormats) {
            action.accept(session);
            return (s, maxRows) -> tag;
        }

        @Override
        public boolean usesBackendSteps() {
            return false;
        }
    }
}
