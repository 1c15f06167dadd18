package io.pgmlsidecar.planner;

import io.pgmlsidecar.planner.functions.ResolvedCall;
import io.pgmlsidecar.planner.scan.Token;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.List;
import java.util.Set;

/**
 * What the planner knows of one statement, found once and read by every strategy choice: the
 * text, its tokens, and each API call with its absolute offsets and resolved signature.
 *
 * @param session the client's session (null while planning a statement of the sidecar's own, e.g.
 *     a PREPARE's body or the rest of a statement after a first round)
 * @param prepared names a SQL-level PREPARE earlier in the same query string gives the sidecar
 */
record StatementModel(String sql, List<Token> tokens, List<ResolvedCall> calls, SessionContext session, Set<String> prepared) {

    boolean startsWith(String keyword) {
        return !tokens.isEmpty() && tokens.get(0).isKeyword(keyword);
    }

    /** True when a call stands inside another call's arguments. */
    boolean nested() {
        return calls.stream().anyMatch(outer -> calls.stream().anyMatch(inner -> inner != outer
                && inner.site().start() > outer.site().start() && inner.site().end() <= outer.site().end()));
    }

    /** True when no call's arguments depend on rows. */
    boolean allConstant() {
        return calls.stream().allMatch(ResolvedCall::isConstant);
    }

    /** True when the call's text uses a bound parameter ($n). */
    boolean usesParameters(ResolvedCall call) {
        for (int i = call.site().firstToken(); i <= call.site().lastToken(); i++) {
            if (tokens.get(i).kind() == Token.Kind.PARAMETER) {
                return true;
            }
        }
        return false;
    }
}
