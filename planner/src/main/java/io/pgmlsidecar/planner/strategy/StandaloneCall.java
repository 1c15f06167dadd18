package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.intercept.BoundPortal;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.PreparedPlan;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.function.Function;

/**
 * Strategy S0: the statement is one call and nothing else ({@code SELECT pgml.version()}); the
 * sidecar answers it itself with one row of one column.
 */
public final class StandaloneCall implements InterceptedStatement {

    private final Column column;
    /** Computes the value (text form) from the session; null means SQL NULL. */
    private final Function<SessionContext, byte[]> evaluate;

    public StandaloneCall(Column column, Function<SessionContext, byte[]> evaluate) {
        this.column = column;
        this.evaluate = evaluate;
    }

    @Override
    public void executeSimple(SessionContext session) {
        byte[] value = evaluate.apply(session);
        session.client().rowDescription(List.of(column));
        session.client().dataRow(new byte[][] {value});
        session.client().commandComplete("SELECT 1");
    }

    @Override
    public PreparedPlan prepare(int[] parameterTypeOids, SessionContext session) {
        if (parameterTypeOids.length > 0) {
            throw new PgException("08P01", "bind message supplies parameters but the statement has none", null);
        }
        return new PreparedPlan() {
            @Override
            public int[] parameterTypeOids() {
                return new int[0];
            }

            @Override
            public List<Column> resultColumns() {
                return List.of(column);
            }

            @Override
            public BoundPortal bind(FrontendMessages.Bind bind, SessionContext s) {
                if (bind.values().length != 0) {
                    throw new PgException("08P01", "bind message supplies " + bind.values().length
                            + " parameters, but prepared statement \"" + bind.statementName() + "\" requires 0", null);
                }
                return new SingleRowPortal(column.withFormat(bind.resultFormat(0)), evaluate);
            }
        };
    }

    /** One row, produced on the first Execute. Text and binary forms of text are the same bytes. */
    private static final class SingleRowPortal implements BoundPortal {
        private final Column column;
        private final Function<SessionContext, byte[]> evaluate;
        private boolean done;

        SingleRowPortal(Column column, Function<SessionContext, byte[]> evaluate) {
            this.column = column;
            this.evaluate = evaluate;
        }

        @Override
        public List<Column> resultColumns() {
            return List.of(column);
        }

        @Override
        public boolean execute(int maxRows, SessionContext session) {
            if (!done) {
                session.client().dataRow(new byte[][] {evaluate.apply(session)});
                done = true;
                session.client().commandComplete("SELECT 1");
            } else {
                session.client().commandComplete("SELECT 0");
            }
            return false;
        }
    }
}
