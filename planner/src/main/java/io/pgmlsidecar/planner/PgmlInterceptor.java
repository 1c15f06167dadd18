package io.pgmlsidecar.planner;

import io.pgmlsidecar.planner.scan.CallFinder;
import io.pgmlsidecar.planner.scan.CallSite;
import io.pgmlsidecar.planner.scan.SqlLexer;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.planner.strategy.StandaloneCall;
import io.pgmlsidecar.proxy.codec.Column;
import io.pgmlsidecar.proxy.intercept.InterceptedStatement;
import io.pgmlsidecar.proxy.intercept.Interceptor;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The planner's entry point: finds calls of the API in a statement and picks the strategy that
 * serves it. Statements with no call it serves go through unchanged.
 */
public final class PgmlInterceptor implements Interceptor {

    static final Set<String> SCHEMAS = Set.of("pgml", "azure_ml", "azure_ai");
    private static final int TEXT_OID = 25;

    @Override
    public List<String> triggers() {
        // quoted forms ("pgml".version()) contain the same letters followed by a quote
        return List.of("pgml", "azure_ml", "azure_ai");
    }

    @Override
    public InterceptedStatement plan(String sql, SessionContext session) {
        List<Token> tokens = SqlLexer.tokenize(sql);
        List<CallSite> calls = CallFinder.find(sql, tokens, SCHEMAS);
        if (calls.isEmpty()) {
            return null;
        }
        CallSite call = calls.get(0);
        if (calls.size() == 1 && call.qualifiedName().equals("pgml.version") && call.arguments().isEmpty()) {
            String alias = StatementShape.aloneInSelect(tokens, call);
            if (alias != null) {
                return new StandaloneCall(Column.computed(alias, TEXT_OID, (short) -1),
                        s -> SidecarVersion.get().getBytes(StandardCharsets.UTF_8));
            }
        }
        return null;
    }
}
