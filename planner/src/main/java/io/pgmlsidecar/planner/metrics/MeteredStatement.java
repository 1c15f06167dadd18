package io.pgmlsidecar.planner.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.intercept.BoundPortal;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.PreparedPlan;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A served statement that counts itself: {@code pgml_sidecar_statements_total{route="served",
 * strategy}} (the proxy counts the relayed ones under the same name), its duration per simple
 * query or per Execute, and failures by SQLSTATE.
 */
public final class MeteredStatement implements InterceptedStatement {

    public static final String STATEMENTS = "pgml.sidecar.statements";
    public static final String DURATION = "pgml.sidecar.statement.duration";
    public static final String ERRORS = "pgml.sidecar.statement.errors";

    private final InterceptedStatement statement;
    private final String strategy;
    private final ServedStatement.Listener listener;

    private MeteredStatement(InterceptedStatement statement, ServedStatement.Listener listener) {
        this.statement = statement;
        this.strategy = StrategyLabels.of(statement);
        this.listener = listener;
    }

    /** Null stays null (nothing to serve: the statement is relayed). */
    public static InterceptedStatement of(InterceptedStatement statement, ServedStatement.Listener listener) {
        return statement == null ? null : new MeteredStatement(statement, listener);
    }

    @Override
    public void executeSimple(SessionContext session) {
        measure(session, "simple", () -> {
            statement.executeSimple(session);
            return null;
        });
    }

    @Override
    public PreparedPlan prepare(int[] parameterTypeOids, SessionContext session) {
        PreparedPlan plan = statement.prepare(parameterTypeOids, session);
        return new PreparedPlan() {
            @Override
            public int[] parameterTypeOids() {
                return plan.parameterTypeOids();
            }

            @Override
            public List<Column> resultColumns() {
                return plan.resultColumns();
            }

            @Override
            public BoundPortal bind(FrontendMessages.Bind bind, SessionContext s) {
                BoundPortal portal = plan.bind(bind, s);
                return new BoundPortal() {
                    @Override
                    public List<Column> resultColumns() {
                        return portal.resultColumns();
                    }

                    @Override
                    public boolean execute(int maxRows, SessionContext s2) {
                        return measure(s2, "extended", () -> portal.execute(maxRows, s2));
                    }

                    @Override
                    public void close(SessionContext s2) {
                        portal.close(s2);
                    }
                };
            }

            @Override
            public void close(SessionContext s) {
                plan.close(s);
            }
        };
    }

    private <T> T measure(SessionContext session, String protocol, java.util.function.Supplier<T> run) {
        long start = System.nanoTime();
        String failed = null;
        try {
            return run.get();
        } catch (PgException e) {
            failed = e.error().sqlState() == null ? "XX000" : e.error().sqlState();
            error(failed);
            throw e;
        } catch (RuntimeException | Error e) {
            failed = "XX000";
            error(failed);
            throw e;
        } finally {
            long nanos = System.nanoTime() - start;
            report(session, protocol, nanos, failed);
            Counter.builder(STATEMENTS).description("statements by route: relayed to PostgreSQL or served by the sidecar")
                    .tag("route", "served").tag("strategy", strategy).tag("protocol", protocol).register(Metrics.globalRegistry).increment();
            Timer.builder(DURATION).description("time of a statement: served (a simple query, or one Execute), or relayed (to its ReadyForQuery)")
                    .tag("route", "served").tag("strategy", strategy).publishPercentileHistogram().register(Metrics.globalRegistry)
                    .record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void report(SessionContext session, String protocol, long nanos, String sqlState) {
        java.util.Map<String, String> p = session.startupParameters();
        listener.served(new ServedStatement(session.state(SessionIds.class, SessionIds::new).id(), p.get("user"),
                p.getOrDefault("database", p.get("user")), p.get("application_name"), strategy, protocol, nanos, sqlState));
    }

    private void error(String sqlState) {
        Counter.builder(ERRORS).description("served statements that failed, by SQLSTATE").tag("strategy", strategy)
                .tag("sqlstate", sqlState == null ? "XX000" : sqlState).register(Metrics.globalRegistry).increment();
    }
}
