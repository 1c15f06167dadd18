package io.pgmlsidecar.proxy.session;

import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.intercept.BoundPortal;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.PreparedPlan;
import io.pgmlsidecar.proxy.intercept.QueryResult;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An interceptor of the proxy's own interface, written as the planner writes one, serving a few
 * calls for the in-process session tests:
 * {@code pgml.echo('x')} answers one row 'x' without the backend; {@code pgml.count()} answers the
 * count the backend gives for {@code select count(*) from items}; {@code pgml.sleep()} runs a
 * statement on the backend and records whether a cancel arrived meanwhile; {@code pgml.bad()} is
 * an API error. Any other text with the trigger word is relayed unchanged.
 */
final class EchoInterceptor implements Interceptor {

    private static final Pattern ECHO = Pattern.compile("pgml\\.echo\\('([^']*)'\\)");
    static final List<Column> RESULT = List.of(Column.computed("result", Wire.TEXT, (short) -1));

    /** Runs inside every served statement, while the worker owns the session. */
    volatile Runnable duringStatement = () -> { };
    volatile boolean cancelSeen;

    @Override
    public List<String> triggers() {
        return List.of("pgml.");
    }

    @Override
    public InterceptedStatement plan(String sql, SessionContext session) {
        Matcher echo = ECHO.matcher(sql);
        if (echo.find()) {
            return new Answer(s -> echo.group(1));
        }
        if (sql.contains("pgml.count()")) {
            return new Answer(s -> {
                QueryResult r = s.backend().query("select count(*) from items", List.of());
                return r.text(0, 0);
            });
        }
        if (sql.contains("pgml.sleep()")) {
            return new Answer(s -> {
                try {
                    s.backend().query("select pg_sleep(60)", List.of());
                    return "slept";
                } finally {
                    cancelSeen = s.cancelRequested();
                }
            });
        }
        if (sql.contains("pgml.bad()")) {
            throw new PgException("22023", "pgml.bad() takes no such argument", "Call it with none.");
        }
        return null;
    }

    private interface Value {
        String of(SessionContext session);
    }

    /** One text column, one row: the value. */
    private final class Answer implements InterceptedStatement {
        private final Value value;

        Answer(Value value) {
            this.value = value;
        }

        @Override
        public void executeSimple(SessionContext session) {
            duringStatement.run();
            String v = value.of(session);
            session.client().rowDescription(RESULT);
            session.client().dataRow(new byte[][] {v.getBytes(StandardCharsets.UTF_8)});
            session.client().commandComplete("SELECT 1");
        }

        @Override
        public PreparedPlan prepare(int[] parameterTypeOids, SessionContext session) {
            return new PreparedPlan() {
                @Override
                public int[] parameterTypeOids() {
                    return new int[0];
                }

                @Override
                public List<Column> resultColumns() {
                    return RESULT;
                }

                @Override
                public BoundPortal bind(FrontendMessages.Bind bind, SessionContext s) {
                    return new BoundPortal() {
                        @Override
                        public List<Column> resultColumns() {
                            return RESULT;
                        }

                        @Override
                        public boolean execute(int maxRows, SessionContext s2) {
                            duringStatement.run();
                            s2.client().dataRow(new byte[][] {value.of(s2).getBytes(StandardCharsets.UTF_8)});
                            s2.client().commandComplete("SELECT 1");
                            return false;
                        }
                    };
                }
            };
        }
    }
}
