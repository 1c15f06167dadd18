package io.pgmlsidecar.planner.metrics;

import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;

/**
 * An interceptor whose served statements count themselves ({@link MeteredStatement}) and are
 * reported to a listener (the launcher's statement log).
 */
public final class MeteredInterceptor implements Interceptor {

    private final Interceptor planner;
    private final ServedStatement.Listener listener;

    public MeteredInterceptor(Interceptor planner) {
        this(planner, ServedStatement.Listener.NONE);
    }

    public MeteredInterceptor(Interceptor planner, ServedStatement.Listener listener) {
        this.planner = planner;
        this.listener = listener;
    }

    @Override
    public List<String> triggers() {
        return planner.triggers();
    }

    @Override
    public InterceptedStatement plan(String sql, SessionContext session) {
        return MeteredStatement.of(planner.plan(sql, session), listener);
    }
}
