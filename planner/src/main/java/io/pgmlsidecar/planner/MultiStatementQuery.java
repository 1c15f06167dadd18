package io.pgmlsidecar.planner;

import io.pgmlsidecar.proxy.codec.TransactionStatus;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.PreparedPlan;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A simple-protocol query string of several statements, some of which call the API: the statements
 * run in order, each relayed to PostgreSQL or served by its own plan, and the first error ends the
 * string. PostgreSQL runs such a string as one transaction; outside a transaction block, and when the
 * string does not control transactions itself, the sidecar does the same by wrapping the statements
 * in BEGIN … COMMIT (ROLLBACK after an error), so either all of them take effect or none.
 */
final class MultiStatementQuery implements InterceptedStatement {
    private static final Set<String> TRANSACTION_CONTROL = Set.of("begin", "start", "commit", "end", "rollback", "abort",
            "savepoint", "release", "prepare");

    private final List<String> statements;
    /** The plan of each statement; null = relayed as written. */
    private final List<InterceptedStatement> plans;

    MultiStatementQuery(List<String> statements, List<InterceptedStatement> plans) {
        this.statements = List.copyOf(statements);
        this.plans = plans;
    }

    @Override
    public void executeSimple(SessionContext session) {
        boolean wrap = session.transactionStatus() == TransactionStatus.IDLE && statements.stream().noneMatch(MultiStatementQuery::controlsTransactions);
        if (wrap) {
            quietly(session, "BEGIN");
        }
        boolean failed = false;
        try {
            for (int i = 0; i < statements.size() && !failed; i++) {
                InterceptedStatement plan = plans.get(i);
                if (plan == null) {
                    failed = session.backend().relaySimpleQuery(statements.get(i));
                } else {
                    try {
                        plan.executeSimple(session);
                    } catch (PgException e) {
                        session.client().error(e.error());
                        failed = true;
                    }
                }
            }
        } finally {
            if (wrap) {
                quietly(session, failed ? "ROLLBACK" : "COMMIT");
            }
        }
    }

    @Override
    public PreparedPlan prepare(int[] parameterTypeOids, SessionContext session) {
        throw new PgException(PgError.error("42601", "cannot insert multiple commands into a prepared statement", null));
    }

    /** By its first word, read past comments as PostgreSQL reads them ({@code -- why\nBEGIN} begins a transaction). */
    static boolean controlsTransactions(String statement) {
        List<io.pgmlsidecar.planner.scan.Token> tokens = io.pgmlsidecar.planner.scan.SqlLexer.tokenize(statement);
        return !tokens.isEmpty() && tokens.get(0).kind() == io.pgmlsidecar.planner.scan.Token.Kind.IDENTIFIER
                && TRANSACTION_CONTROL.contains(tokens.get(0).text().toLowerCase(Locale.ROOT));
    }

    /** A statement of the sidecar's own, its answer kept from the client. */
    private static void quietly(SessionContext session, String sql) {
        session.backend().query(sql, List.of());
        session.backend().sync();
    }
}
