package io.pgmlsidecar.planner.strategy;

import io.pgmlsidecar.planner.functions.BoundParameters;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.codec.FrontendMessages;
import io.pgmlsidecar.proxy.intercept.BackendClient.StatementInfo;
import io.pgmlsidecar.proxy.intercept.BoundPortal;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.PreparedPlan;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.List;

/** Serves a {@link Strategy} in the simple and in the extended protocol. */
public final class StrategyStatement implements InterceptedStatement {

    private final Strategy strategy;

    public StrategyStatement(Strategy strategy) {
        this.strategy = strategy;
    }

    public Strategy strategy() {
        return strategy;
    }

    @Override
    public void executeSimple(SessionContext session) {
        try {
            StatementInfo info = strategy.describe(session, new int[0]);
            int columnCount = info.columns() == null ? 0 : info.columns().size();
            Strategy.Execution execution = strategy.start(session, BoundParameters.NONE, new short[columnCount]);
            if (info.columns() != null) {
                session.client().rowDescription(info.columns());
            }
            try {
                String tag = execution.fetch(session, 0);
                session.client().commandComplete(tag);
            } finally {
                execution.close(session);
            }
        } finally {
            if (strategy.usesBackendSteps()) {
                session.backend().sync();
            }
        }
    }

    @Override
    public PreparedPlan prepare(int[] parameterTypeOids, SessionContext session) {
        StatementInfo info = strategy.describe(session, parameterTypeOids);
        return new PreparedPlan() {
            @Override
            public int[] parameterTypeOids() {
                return info.parameterTypeOids();
            }

            @Override
            public List<Column> resultColumns() {
                return info.columns();
            }

            @Override
            public BoundPortal bind(FrontendMessages.Bind bind, SessionContext s) {
                int expected = info.parameterTypeOids().length;
                if (bind.values().length != expected) {
                    throw new PgException("08P01", "bind message supplies " + bind.values().length
                            + " parameters, but prepared statement \"" + bind.statementName() + "\" requires " + expected, null);
                }
                return new Portal(info, BoundParameters.of(info.parameterTypeOids(), bind.parameterFormats(), bind.values()),
                        formats(bind, info.columns()));
            }
        };
    }

    private static short[] formats(FrontendMessages.Bind bind, List<Column> columns) {
        int n = columns == null ? 0 : columns.size();
        short[] f = new short[n];
        for (int i = 0; i < n; i++) {
            f[i] = bind.resultFormat(i);
        }
        return f;
    }

    private final class Portal implements BoundPortal {
        private final StatementInfo info;
        private final BoundParameters parameters;
        private final short[] resultFormats;
        private Strategy.Execution execution;
        private boolean finished;

        Portal(StatementInfo info, BoundParameters parameters, short[] resultFormats) {
            this.info = info;
            this.parameters = parameters;
            this.resultFormats = resultFormats;
        }

        @Override
        public List<Column> resultColumns() {
            if (info.columns() == null) {
                return null;
            }
            List<Column> out = new ArrayList<>(info.columns().size());
            for (int i = 0; i < info.columns().size(); i++) {
                out.add(info.columns().get(i).withFormat(resultFormats[i]));
            }
            return out;
        }

        @Override
        public boolean execute(int maxRows, SessionContext session) {
            if (finished) {
                session.client().commandComplete("SELECT 0");
                return false;
            }
            if (execution == null) {
                execution = strategy.start(session, parameters, resultFormats);
            }
            String tag = execution.fetch(session, maxRows);
            if (tag == null) {
                session.client().send(io.pgmlsidecar.proxy.codec.BackendMessages.portalSuspended(session.client().alloc()));
                return true;
            }
            finished = true;
            execution.close(session);
            session.client().commandComplete(tag);
            return false;
        }
    }
}
