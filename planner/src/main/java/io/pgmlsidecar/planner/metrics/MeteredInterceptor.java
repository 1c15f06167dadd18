package io.pgmlsidecar.planner.metrics;

import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;

/** An interceptor whose served statements count themselves ({@link MeteredStatement}). */
public final class MeteredInterceptor implements Interceptor {

    private final Interceptor planner;

    public MeteredInterceptor(Interceptor planner) {
        this.planner = planner;
    }

    @Override
    public List<String> triggers() {
        return planner.triggers();
    }

    @Override
    public InterceptedStatement plan(String sql, SessionContext session) {
        return MeteredStatement.of(planner.plan(sql, session));
    }
}
